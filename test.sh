#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium, Janus and janus-tools, PostgreSQL, Redis, npm packages, dotnet tools),
# builds, then runs every test in the solution inside a private network namespace (tools/in-media-netns.sh: no packet can
# leave, and Janus gets the non-loopback interface it needs) with PostgreSQL and Redis started on its loopback for the
# run (tools/with-test-servers.sh), and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

log() { printf '==> %s\n' "$*"; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)   # Playwright's own browser download is not used
command -v janus >/dev/null 2>&1 || missing+=(janus)                           # the emulator's media plane
command -v janus-pp-rec >/dev/null 2>&1 || missing+=(janus-tools)               # Janus recordings → .webm (janus-pp-rec)
command -v nft >/dev/null 2>&1 || missing+=(nftables)                          # a media test cuts UDP in its namespace
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)               # the PostgreSQL provider and scale-out tests
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)             # several instances joined through Redis
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian's ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || exit 1
fi

for dir in $(git ls-files '*package-lock.json' | xargs -r -n1 dirname); do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
  fi
done

log "dotnet tool restore"
dotnet tool restore >/dev/null || exit 1

# Built here, where NuGet is reachable; the tests then run where nothing but loopback is.
log "dotnet build"
build_log=$(mktemp)
if ! dotnet build OpenViduServerSide.sln -v q -nologo >"$build_log" 2>&1; then
  grep -E 'error' "$build_log" | sort -u | head -n 50
  rm -f "$build_log"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f "$build_log"

results=$(mktemp)
log "dotnet test (in a private network namespace, with PostgreSQL and Redis started for it)"
# --timeout: a hung test must end the run, not CI's clock.
tools/in-media-netns.sh tools/with-test-servers.sh dotnet test --solution OpenViduServerSide.sln --no-build --timeout 30m "$@" 2>&1 | tee "$results" | grep -vE '^\s+(info|warn|dbug|trce): |^\s{6,}'
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
