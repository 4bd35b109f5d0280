#!/usr/bin/env bash
# Offline checks of the deployment files: swagger.json, terraform/ and
# cloudformation/. Installs pinned tools from PyPI (requirements-ci.txt) into
# target/ci-venv, reused while requirements-ci.txt is unchanged, then runs
# every check and exits non-zero if any failed. Needs only python3 (3.11+)
# with pip and access to PyPI.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

venv="${DEPLOY_CHECKS_VENV:-target/ci-venv}"
stamp="$venv/.requirements-ci.sha256"
want="$(sha256sum requirements-ci.txt | cut -d' ' -f1)"

if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "deploy-checks: installing tools into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || exit 1
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements-ci.txt || { echo "deploy-checks: tool install failed" >&2; exit 1; }
    echo "$want" > "$stamp"
fi
export PATH="$(cd "$venv/bin" && pwd):$PATH"
# Terraform must not look for a CLI config or call home.
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1

passed=0
failed=0
run() {
    local name="$1"
    shift
    echo "--- $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "deploy-checks: FAILED: $name" >&2
    fi
}

swagger_integrations() {
    python3 - swagger.json <<'PY'
"""Every operation of swagger.json goes to the function through aws_proxy."""
import json, sys

doc = json.load(open(sys.argv[1]))
methods = {"get", "put", "post", "delete", "patch", "x-amazon-apigateway-any-method"}
uri_tail = "function:${stageVariables.lambdaFunctionName}/invocations"
problems = []
if "/{proxy+}" not in doc["paths"]:
    problems.append("no /{proxy+} catch-all route")
for path, item in doc["paths"].items():
    for method, op in item.items():
        if method not in methods:
            continue
        i = op.get("x-amazon-apigateway-integration", {})
        if i.get("type") != "aws_proxy" or i.get("httpMethod") != "POST" or not i.get("uri", "").endswith(uri_tail):
            problems.append(f"{method.upper()} {path}: integration is not aws_proxy POST to the function")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

run "swagger.json is JSON" python3 -m json.tool swagger.json /dev/null
run "swagger.json is OpenAPI" openapi-spec-validator swagger.json
run "swagger.json routes every operation to the function" swagger_integrations
run "terraform fmt" terraform fmt -check -recursive -diff terraform
run "cfn-lint" cfn-lint cloudformation/*.yaml
run "checkov terraform/" checkov --config-file .checkov.yaml -d terraform --framework terraform
run "checkov cloudformation/" checkov --config-file .checkov.yaml -d cloudformation --framework cloudformation
run "build-lambda.sh parses" bash -n scripts/build-lambda.sh

echo "deploy-checks: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
