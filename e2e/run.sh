#!/usr/bin/env bash
# Runs the browser tests: starts `motcua demo` (global-setup.js), runs Playwright in Debian's
# Chromium, stops the server, and prints one closing line "e2e: N passed, N failed, N skipped".
# MOTCUA_BIN picks the binary (default ../target/release/motcua); extra arguments go to Playwright.
set -uo pipefail
# A relative MOTCUA_BIN is relative to where this script was called from.
if [ -n "${MOTCUA_BIN:-}" ] && [ "${MOTCUA_BIN#/}" = "$MOTCUA_BIN" ]; then
  export MOTCUA_BIN="$PWD/$MOTCUA_BIN"
fi
cd "$(dirname "$0")"

chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: $chromium not found; install Debian's chromium (apt-get install -y chromium)" >&2
  exit 1
fi
if [ ! -d node_modules/@playwright/test ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

rm -rf artifacts
mkdir -p artifacts
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx --no-install playwright test "$@"
status=$?

node -e '
  const fs = require("fs");
  const dir = "artifacts/axe";
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const a = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
    const ids = a.violations.map((v) => v.id).join(" ");
    console.log(`axe ${a.page}: ${a.violations.length} violations${ids ? ` (${ids})` : ""}, ${a.passes} rules passed`);
  }
  let s = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  let broken = 0;
  try {
    const r = JSON.parse(fs.readFileSync("artifacts/results.json", "utf8"));
    s = r.stats;
    broken = (r.errors || []).length;
  } catch (e) { broken = 1; }
  console.log(`e2e: ${s.expected} passed, ${s.unexpected + s.flaky + broken} failed, ${s.skipped} skipped`);
'
exit $status
