#!/usr/bin/env bash
# Installs what the tests need (Debian Chromium, npm packages, dotnet tools), then runs every test
# in the solution and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

log() { printf '==> %s\n' "$*"; }

if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium (Playwright's own browser download is not used)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null
fi

for dir in $(git ls-files '*package-lock.json' | xargs -r -n1 dirname); do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
  fi
done

log "dotnet tool restore"
dotnet tool restore >/dev/null || exit 1

results=$(mktemp)
log "dotnet test"
# --timeout: a hung test must end the run, not CI's clock.
dotnet test --solution OpenViduServerSide.sln --timeout 30m "$@" 2>&1 | tee "$results" | grep -vE '^\s+(info|warn|dbug|trce): |^\s{6,}'
status=${PIPESTATUS[0]}

# The Microsoft.Testing.Platform summary prints "succeeded: N" and "failed: N"; the last block is the total.
passed=$(grep -E '^\s+succeeded: [0-9]+' "$results" | tail -n 1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s+failed: [0-9]+' "$results" | tail -n 1 | grep -oE '[0-9]+')
rm -f "$results"
if [ -z "$passed" ]; then
  passed=0
  failed=$(( ${failed:-0} > 0 ? failed : 1 ))   # no summary means the build or the runner failed
fi
echo "${passed} passed, ${failed:-0} failed"
# Exit code 8 is "a test project ran zero tests": normal when a filter matches only another project's tests.
if [ "$status" -eq 8 ] && [ "$passed" -gt 0 ]; then status=0; fi
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ]; then exit 1; fi
