#!/usr/bin/env bash
# Lints the OpenAPI document with Redocly's recommended rules (@redocly/cli pinned in tools/api-lint/package-lock.json);
# any warning fails. Three operations without a 4xx response are ignored on purpose (tools/api-lint/.redocly.lint-ignore.yaml).
set -euo pipefail
cd "$(dirname "$0")/../tools/api-lint"

if [[ ! -x node_modules/.bin/redocly ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

set +e
output=$(node_modules/.bin/redocly lint ../../functions/Web/openapi.json --config redocly.yaml --format=stylish 2>&1)
status=$?
set -e
if [[ $status -ne 0 ]] || grep -qE '^\s+[0-9]+:[0-9]+\s+(warning|error)' <<<"$output"; then
  echo "$output"
  echo "api-lint: the OpenAPI document has lint findings" >&2
  exit 1
fi
echo "api-lint: $(grep -E 'valid|ignored' <<<"$output" | tr '\n' ' ')"
