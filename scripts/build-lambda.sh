#!/usr/bin/env bash
# Builds the Lambda artifact that both deployment templates use:
# target/lambda/connect-scim/bootstrap.zip (provided.al2023, arm64).
#
# Uses `cargo lambda` if installed, otherwise installs cargo-lambda from PyPI
# (it brings Zig, its cross-linker, as the ziglang package) into
# target/lambda-venv. cargo-lambda adds the aarch64-unknown-linux-gnu target
# through rustup when it is missing.
#
# --locked: the build uses exactly the dependency versions in Cargo.lock and
# fails instead of resolving new ones, so a release is reproducible from its
# commit.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if ! cargo lambda --version >/dev/null 2>&1; then
    venv="target/lambda-venv"
    if [[ ! -x "$venv/bin/cargo-lambda" ]]; then
        echo "build-lambda: installing cargo-lambda into $venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "cargo-lambda==1.9.2"
    fi
    export PATH="$repo/$venv/bin:$PATH"
fi

cargo lambda build --release --locked --arm64 --output-format zip --bin connect-scim

zip="target/lambda/connect-scim/bootstrap.zip"
[[ -f "$zip" ]] || { echo "build-lambda: $zip was not produced" >&2; exit 1; }
sha="$(sha256sum "$zip" | cut -c1-12)"
api_sha="$(sha256sum swagger.json | cut -c1-12)"

cat <<MSG

Built $zip ($(du -h "$zip" | cut -f1), sha256 $sha...).
One artifact serves both templates:

  Terraform (terraform/): reads the zip directly.
    cd terraform && terraform apply -var connect_instance_id=... \\
      -var lambda_zip_path=../$zip

  CloudFormation (cloudformation/connect-scim.yaml): upload both files to a
  bucket in the stack's region, under keys that change with their content:
    aws s3 cp $zip s3://BUCKET/connect-scim/bootstrap-$sha.zip
    aws s3 cp swagger.json s3://BUCKET/connect-scim/swagger-$api_sha.json
  then pass ArtifactBucket=BUCKET ArtifactKey=connect-scim/bootstrap-$sha.zip
  ApiDefinitionKey=connect-scim/swagger-$api_sha.json (see docs/deploy.md).
MSG
