#!/usr/bin/env bash
# Installs what the tests need beyond cargo: dynalite (a DynamoDB-compatible
# server that applies each item's updates atomically), pinned by
# tests/tools/package-lock.json, into target/test-tools. Needs Node.js and npm.
# The tests call this on first use; .ci/run calls it up front.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$repo/target/test-tools"
if [[ -f "$dir/node_modules/dynalite/cli.js" ]] && cmp -s "$repo/tests/tools/package-lock.json" "$dir/package-lock.json"; then
    exit 0
fi
mkdir -p "$dir"
cp "$repo/tests/tools/package.json" "$repo/tests/tools/package-lock.json" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
