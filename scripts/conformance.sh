#!/usr/bin/env bash
# Third-party SCIM conformance testers against a local `serve` (the embedded
# Connect simulator, with Connect's 2/s quota): scim2-tester (every check, User
# and Group; scripts/conformance/scim2_tester_run.py) and scim-sanity's probe.
# Both are hash-pinned in requirements-conformance.txt and installed from PyPI
# into target/conformance-venv.
#
#   scripts/conformance.sh [PATH_TO_connect-scim]   (default: the debug build, built if missing)
#
# The service runs with its defaults except GROUP_PATCH_RESPONSE=resource:
# scim-sanity insists on 200 with the group for a group PATCH, where the
# default answers 204 to spare the membership read (see the README).
# Talks only to loopback. Exit status: 0 when both testers report no failure,
# 1 when either reports one, 2 when they could not run.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="target/conformance-venv"
PORT="${CONFORMANCE_PORT:-18480}"
TOKEN="conformance-token-0123456789abcdef"
BASE="http://127.0.0.1:${PORT}/scim/v2"

if [ $# -ge 1 ]; then
  BIN="$1"
else
  cargo build --quiet --bin connect-scim
  BIN="${CARGO_TARGET_DIR:-target}/debug/connect-scim"
fi
if [ ! -x "$BIN" ]; then
  echo "conformance: no binary at $BIN" >&2
  exit 2
fi

stamp="$VENV/.requirements-conformance.sha256"
want="$(sha256sum requirements-conformance.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/scim-sanity" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "conformance: installing scim2-tester and scim-sanity into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r requirements-conformance.txt
  echo "$want" > "$stamp"
fi

LOG="$VENV/serve.log"
GROUP_PATCH_RESPONSE=resource SCIM_BEARER_TOKEN="$TOKEN" \
  "$BIN" serve --listen "127.0.0.1:${PORT}" >"$LOG" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
up=""
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1; then up=1; break; fi
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "conformance: serve did not answer /healthz; its log:" >&2
  cat "$LOG" >&2
  exit 2
fi

status=0
echo "=== scim2-tester (every check, User and Group)"
"$VENV/bin/python" scripts/conformance/scim2_tester_run.py "$BASE" "$TOKEN" || status=1

echo "=== scim-sanity probe"
sanity="$VENV/scim-sanity.out"
"$VENV/bin/scim-sanity" probe "$BASE" --token "$TOKEN" --i-accept-side-effects | tee "$sanity" || true
# Its closing count, e.g. "28 passed, 3 skipped, 31 total" (a "N failed" only when some did).
summary="$(grep -E '^ *[0-9]+ passed,.* total' "$sanity" | tail -1 || true)"
if [ -z "$summary" ]; then
  echo "conformance: scim-sanity printed no summary" >&2
  exit 2
fi
if grep -qE '[1-9][0-9]* failed' <<<"$summary"; then
  status=1
fi

echo "=== conformance: $([ "$status" = 0 ] && echo "both testers report no failure" || echo "a tester reports failures")"
exit "$status"
