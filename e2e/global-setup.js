// Starts `motcua demo` on a free loopback port in a fresh data dir, waits for /readyz, and hands
// the address to the tests through MOTCUA_BASE_URL. Returns the teardown that stops it.
// With MOTCUA_BASE_URL already set, the tests run against that server instead.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ARTIFACTS = path.join(__dirname, 'artifacts');
const READY_TIMEOUT_MS = Number(process.env.MOTCUA_READY_TIMEOUT_MS || 120_000);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(base, child, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`motcua exited with code ${child.exitCode} before it was ready (see artifacts/motcua.log)`);
    }
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause ? e.cause.code || String(e.cause) : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base}/readyz not ready after ${READY_TIMEOUT_MS} ms (last: ${last})`);
}

module.exports = async function globalSetup() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (process.env.MOTCUA_BASE_URL) {
    await waitReady(process.env.MOTCUA_BASE_URL, null, Date.now() + READY_TIMEOUT_MS);
    return async () => {};
  }

  const bin = process.env.MOTCUA_BIN
    ? path.resolve(process.env.MOTCUA_BIN)
    : path.resolve(__dirname, '../target/release/motcua');
  if (!fs.existsSync(bin)) {
    throw new Error(`motcua binary not found at ${bin}: build it, or set MOTCUA_BIN`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-e2e-'));
  const log = fs.openSync(path.join(ARTIFACTS, 'motcua.log'), 'w');
  const started = Date.now();
  const child = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`], {
    env: {
      ...process.env,
      MOTCUA_DATA_DIR: dataDir,
      MOTCUA_DEMO_DOSSIERS: process.env.MOTCUA_DEMO_DOSSIERS || '2000',
      RUST_LOG: process.env.RUST_LOG || 'warn',
    },
    stdio: ['ignore', log, log],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      const timeout = new Promise((r) => setTimeout(r, 10_000, 'timeout'));
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    }
    fs.closeSync(log);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(base, child, started + READY_TIMEOUT_MS);
  } catch (e) {
    await stop();
    throw e;
  }
  console.log(`motcua demo ready at ${base} in ${((Date.now() - started) / 1000).toFixed(1)} s (${bin})`);
  process.env.MOTCUA_BASE_URL = base;
  return stop;
};
