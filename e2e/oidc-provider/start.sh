#!/usr/bin/env bash
# Starts the test OpenID Provider for the VNeID browser test (installing its package first).
# Usage: OIDC_REDIRECT_URI=http://127.0.0.1:<motcua port>/dang-nhap/vneid/callback [OIDC_PORT=…] ./start.sh
# Prints `oidc-provider ready http://127.0.0.1:<port>` once listening; motcua then needs
# MOTCUA_OIDC_ISSUER=<that URL> MOTCUA_OIDC_CLIENT_ID=motcua-e2e MOTCUA_OIDC_CLIENT_SECRET=motcua-e2e-secret.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/oidc-provider ]; then
  npm ci --no-audit --no-fund >&2
fi
exec node server.js
