#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: builds the CLI (the end-to-end
# tests start it as users do), runs vitest, and closes with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
# Browser actions and their tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ -z "${TASKWIRE_CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null || exit 1
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests will be skipped)." >&2
  fi
fi
npm run -s build || exit 1
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/report.json "$@"
rc=$?
node scripts/test-summary.mjs test-results/report.json "$rc" || rc=1
exit $rc
