#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: builds the CLI (the end-to-end
# tests start it as users do), runs vitest, and closes with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run -s build || exit 1
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/report.json "$@"
rc=$?
node scripts/test-summary.mjs test-results/report.json "$rc" || rc=1
exit $rc
