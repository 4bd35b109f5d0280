#!/usr/bin/env bash
# Contract fuzzing: schemathesis (hash-pinned in requirements-contract.txt,
# installed from PyPI into target/contract-venv) generates requests from
# swagger.json and sends them to `connect-scim serve` on loopback, in front of
# `connect-scim simulate` (quota off, so the run measures the contract, not the
# Connect quota). It fails on any 5xx, any status or body the document does not
# describe, and any 4xx that is not a SCIM error (scripts/contract/scim_checks.py).
#
# CONTRACT_EXAMPLES (default 25) bounds the examples per operation and phase;
# CONTRACT_MAX_TIME (default 240) the seconds of the whole run. Uses the debug
# binary `cargo build` makes (built here if missing), in CARGO_TARGET_DIR or target/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

venv="${CONTRACT_VENV:-target/contract-venv}"
stamp="$venv/.requirements-contract.sha256"
want="$(sha256sum requirements-contract.txt | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/schemathesis" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "contract-tests: installing schemathesis into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements-contract.txt
    echo "$want" > "$stamp"
fi

cargo build --quiet --bin connect-scim
binary="${CARGO_TARGET_DIR:-target}/debug/connect-scim"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {
    local url="$1"
    for _ in $(seq 1 120); do
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "contract-tests: $url did not answer" >&2
    return 1
}

sim_port="$(free_port)"
"$binary" simulate --listen "127.0.0.1:$sim_port" --no-quota > "$work/simulate.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sim_port/simulator/stats"

token="contract-test-token-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
scim_port="$(free_port)"
env -u AWS_LAMBDA_RUNTIME_API -u QUOTA_TABLE \
    CONNECT_INSTANCE_ID=11111111-2222-4333-8444-555555555555 \
    AWS_ENDPOINT_URL_CONNECT="http://127.0.0.1:$sim_port" \
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=TEST AWS_SECRET_ACCESS_KEY=test-secret \
    AWS_EC2_METADATA_DISABLED=true \
    SCIM_BEARER_TOKEN="$token" CONNECT_RATE_LIMIT=1000 CONNECT_BURST=1000 \
    REQUEST_DEADLINE_MS=5000 RUST_LOG=warn \
    "$binary" serve --listen "127.0.0.1:$scim_port" > "$work/serve.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$scim_port/healthz"

report="${CARGO_TARGET_DIR:-target}/contract-report"
mkdir -p "$report"
echo "contract-tests: schemathesis against serve on 127.0.0.1:$scim_port"
PYTHONPATH="$repo/scripts/contract" SCHEMATHESIS_HOOKS=scim_checks \
    "$venv/bin/schemathesis" --no-color run swagger.json \
    --url "http://127.0.0.1:$scim_port" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,scim_error_bodies \
    --max-examples "${CONTRACT_EXAMPLES:-25}" \
    --max-time "${CONTRACT_MAX_TIME:-240}" \
    --seed 20261202 \
    --phases examples,fuzzing,stateful \
    --workers 2 \
    --request-timeout 30 \
    --generation-database none \
    --report junit --report-dir "$report"
