#!/usr/bin/env bash
# Page speed (issue #5): starts `motcua demo` (20,000 simulated dossiers unless MOTCUA_DEMO_DOSSIERS says
# otherwise) on a free loopback port, then drives it with wrk: the procedure page and the status look-up
# page (a real dossier code of the demo) at 200 concurrent connections, and the status look-up for
# throughput. Prints wrk's latency distribution and one closing JSON line.
# Usage: bench/pages/run.sh [MOTCUA_BIN] (default target/release/motcua); needs wrk (apt-get install wrk).
set -euo pipefail
bin="${1:-target/release/motcua}"
duration="${BENCH_DURATION:-20s}"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
MOTCUA_DATA_DIR="$data" "$bin" demo --listen "127.0.0.1:$port" >"$data/demo.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 240); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "$base/readyz" >/dev/null || { echo "demo did not become ready" >&2; cat "$data/demo.log" >&2; exit 1; }
# A real dossier: submitted at the counter through the API (the status page shows its public view).
token="$(curl -sf -H 'Content-Type: application/json' -d '{"username":"tiepnhan1","password":"demo"}' \
  "$base/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
code="$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -H 'Idempotency-Key: bench-pages-1' \
  -d '{"procedure":"1.001193","unit":"23575","channel":1,"applicant":{"name":"Nguyễn Văn An","personal_id":"064190012345","birth_date":"1990-01-01","phone":"0901234567"}}' \
  "$base/api/v1/dossiers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["MaHoSo"])')"
echo "demo ready on $base; status page of $code"
measure() { # name path connections threads -> "p50 p99 rps" (milliseconds, requests/s)
  local out
  out="$(wrk -t"$4" -c"$3" -d"$duration" --latency "$base$2")"
  echo "== $1 ($2, $3 connections)" >&2
  echo "$out" >&2
  python3 - "$out" <<'PY'
import re, sys
text = sys.argv[1]
def ms(label):
    m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{ms('50%'):.2f} {ms('99%'):.2f} {rps:.0f} {errors.group(1) if errors else 0}")
PY
}
read -r proc_p50 proc_p99 proc_rps proc_err < <(measure procedure /thu-tuc/1.001193 200 2)
read -r st_p50 st_p99 st_rps st_err < <(measure status "/tra-cuu?ma=$code" 200 2)
printf '{"bench": "pages", "connections": 200, "duration": "%s", "procedure_p50_ms": %s, "procedure_p99_ms": %s, "procedure_rps": %s, "status_p50_ms": %s, "status_p99_ms": %s, "status_rps": %s, "non_2xx": %s}\n' \
  "$duration" "$proc_p50" "$proc_p99" "$proc_rps" "$st_p50" "$st_p99" "$st_rps" "$((proc_err + st_err))"
