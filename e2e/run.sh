#!/usr/bin/env bash
# Runs the browser tests: starts `motcua demo` (global-setup.js), runs Playwright in Debian's
# Chromium, stops the server, and prints one closing line "e2e: N passed, N failed, N skipped".
# MOTCUA_BIN picks the binary (default ../target/release/motcua); extra arguments go to Playwright.
set -uo pipefail
# A relative MOTCUA_BIN is relative to where this script was called from.
if [ -n "${MOTCUA_BIN:-}" ] && [ "${MOTCUA_BIN#/}" = "$MOTCUA_BIN" ]; then
  export MOTCUA_BIN="$PWD/$MOTCUA_BIN"
fi
if [ -n "${E2E_ARTIFACTS:-}" ] && [ "${E2E_ARTIFACTS#/}" = "$E2E_ARTIFACTS" ]; then
  export E2E_ARTIFACTS="$PWD/$E2E_ARTIFACTS"
fi
cd "$(dirname "$0")"
artifacts="${E2E_ARTIFACTS:-$PWD/artifacts}"

chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: $chromium not found; install Debian's chromium (apt-get install -y chromium)" >&2
  exit 1
fi
if [ ! -d node_modules/@playwright/test ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# Clear only what a run writes (E2E_ARTIFACTS may name a folder that holds other things).
mkdir -p "$artifacts"
rm -rf "$artifacts/axe" "$artifacts/screenshots" "$artifacts/test-results" "$artifacts/results.json" \
  "$artifacts/motcua.log" "$artifacts/oidc-provider.log"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx --no-install playwright test "$@"
status=$?

ARTIFACTS="$artifacts" node -e '
  const fs = require("fs");
  const dir = `${process.env.ARTIFACTS}/axe`;
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const a = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
    const ids = a.violations.map((v) => v.id).join(" ");
    console.log(`axe ${a.page}: ${a.violations.length} violations${ids ? ` (${ids})` : ""}, ${a.passes} rules passed`);
  }
  let s = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  let broken = 0;
  try {
    const r = JSON.parse(fs.readFileSync(`${process.env.ARTIFACTS}/results.json`, "utf8"));
    s = r.stats;
    broken = (r.errors || []).length;
  } catch (e) { broken = 1; }
  console.log(`e2e: ${s.expected} passed, ${s.unexpected + s.flaky + broken} failed, ${s.skipped} skipped`);
'
exit $status
