// Starts `motcua demo` on a free loopback port in a fresh data dir, waits for /readyz, and hands
// the address to the tests through MOTCUA_BASE_URL. Returns the teardown that stops it.
// With MOTCUA_BASE_URL already set, the tests run against that server instead.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(__dirname, 'artifacts'));
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
      throw new Error(`motcua exited with code ${child.exitCode} before it was ready (see motcua.log among the artefacts)`);
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

// The test OpenID Provider standing in for VNeID (e2e/oidc-provider), when the tree has it.
const OIDC_DIR = path.join(__dirname, 'oidc-provider');
const OIDC_CLIENT = { id: 'motcua-e2e', secret: 'motcua-e2e-secret' };

/** Starts the OpenID Provider for motcua at `base`; resolves with its issuer URL and a stop function. */
function startOidcProvider(base, deadline) {
  const log = fs.openSync(path.join(ARTIFACTS, 'oidc-provider.log'), 'w');
  const child = spawn('bash', [path.join(OIDC_DIR, 'start.sh')], {
    env: {
      ...process.env,
      OIDC_PORT: '0',
      OIDC_REDIRECT_URI: `${base}/dang-nhap/vneid/callback`,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
    },
    stdio: ['ignore', 'pipe', log],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 5_000); });
    }
    fs.closeSync(log);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { stop(); reject(new Error('oidc-provider not ready in time (see oidc-provider.log among the artefacts)')); },
      Math.max(0, deadline - Date.now()));
    child.stdout.on('data', (chunk) => {
      fs.writeSync(log, chunk);
      out += chunk;
      const m = out.match(/oidc-provider ready (\S+)/);
      if (m) { clearTimeout(timer); resolve({ issuer: m[1], stop }); }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited with code ${code} (see oidc-provider.log among the artefacts)`));
    });
  });
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
  const started = Date.now();
  const oidcEnv = {};
  let oidc = null;
  if (fs.existsSync(path.join(OIDC_DIR, 'server.js')) && process.env.E2E_OIDC !== '0') {
    oidc = await startOidcProvider(base, started + READY_TIMEOUT_MS);
    Object.assign(oidcEnv, {
      MOTCUA_OIDC_ISSUER: oidc.issuer,
      MOTCUA_OIDC_CLIENT_ID: OIDC_CLIENT.id,
      MOTCUA_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
    });
    console.log(`oidc-provider (VNeID stand-in) ready at ${oidc.issuer}`);
  }
  const log = fs.openSync(path.join(ARTIFACTS, 'motcua.log'), 'w');
  const child = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`], {
    env: {
      ...process.env,
      ...oidcEnv,
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
    if (oidc) await oidc.stop();
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
