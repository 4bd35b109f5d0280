#!/usr/bin/env bash
# Third-party SCIM conformance testers against a local `serve` (the embedded
# Connect simulator): scim2-tester and scim-sanity, pinned, installed into
# target/conformance-venv. Prints each tester's results and a pass/fail count.
#
#   scripts/conformance.sh [PATH_TO_connect-scim]   (default: target/debug/connect-scim)
#
# Build the binary first (`cargo build`); `cargo run` would compile on every call.
# Talks only to loopback. Exit status: 0 when both testers ran (not when they passed:
# see the counts).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/connect-scim}"
VENV="target/conformance-venv"
PORT="${CONFORMANCE_PORT:-18480}"
TOKEN="conformance-token-0123456789abcdef"
BASE="http://127.0.0.1:${PORT}/scim/v2"

if [ ! -x "$BIN" ]; then
  echo "no binary at $BIN: run cargo build, or pass its path" >&2
  exit 2
fi

if [ ! -x "$VENV/bin/scim-sanity" ] || ! "$VENV/bin/python" -c "import scim2_tester, httpx2" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "scim2-tester==0.5.2" "scim2-client==0.13.2" "scim2-models==0.12.3" \
    "httpx2==2.16.2" "scim-sanity==0.7.4"
fi

LOG="$VENV/serve.log"
SCIM_BEARER_TOKEN="$TOKEN" "$BIN" serve --listen "127.0.0.1:${PORT}" >"$LOG" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done

echo "=== scim2-tester (every check, User and Group)"
"$VENV/bin/python" - "$BASE" "$TOKEN" <<'PY' || true
import sys
from collections import Counter
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

base, token = sys.argv[1], sys.argv[2]
client = SyncSCIMClient(Client(base_url=base, headers={"Authorization": f"Bearer {token}"}))
results = check_server(client)
bad = {Status.ERROR, Status.CRITICAL}
for r in results:
    mark = "FAIL" if r.status in bad else r.status.name
    print(f"{mark:10} {r.resource_type or '-':6} {r.title}: {r.reason or ''}")
counts = Counter(r.status.name for r in results)
failed = sum(1 for r in results if r.status in bad)
print(f"scim2-tester: {len(results) - failed} passed, {failed} failed ({dict(counts)})")
PY

echo "=== scim-sanity probe"
"$VENV/bin/scim-sanity" probe "$BASE" --token "$TOKEN" --i-accept-side-effects || true
