#!/usr/bin/env bash
# Every figure of the performance issue, for the app before a change and after it, in one run on one machine (the
# machine is shared and noisy: compare within a run). Usage, from the repository, with nothing else running:
#   bench/before-after.sh [BEFORE_COMMIT] [OUTPUT_FILE]
# BEFORE_COMMIT defaults to 525622b (main before the performance work). Needs wrk, chromium and janus (./test.sh installs
# the last two; `apt-get install wrk`). The media part runs inside tools/in-media-netns.sh (root).
set -euo pipefail
before=${1:-525622b}
root=$(git rev-parse --show-toplevel)
out=${2:-$root/bench/before-after-$(date -u +%Y%m%d-%H%M).log}
work=$(mktemp -d /tmp/ovss-before-after.XXXXXX)
cleanup() { git -C "$root" worktree remove --force "$work/before" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

exec > >(tee "$out") 2>&1
echo "==> before: $before; after: $(git -C "$root" rev-parse --short HEAD); $(nproc) cores; $(date -u '+%F %T') UTC"
git -C "$root" worktree add --detach "$work/before" "$before" >/dev/null
(cd "$work/before/OpenViduServerSide" && npm ci --silent)
dotnet build -c Release "$work/before/OpenViduServerSide" -v q -nologo | tail -1
dotnet build -c Release "$root/bench/OpenViduServerSide.Bench" -v q -nologo | tail -1
dotnet publish -c Release -r linux-x64 --self-contained false "$root/OpenViduServerSide" -o "$work/after-r2r" -v q -nologo | tail -1

bench=(dotnet "$root/bench/OpenViduServerSide.Bench/bin/Release/net10.0/OpenViduServerSide.Bench.dll")
before_app=$work/before/OpenViduServerSide/bin/Release/net10.0
after_app=$root/OpenViduServerSide/bin/Release/net10.0
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo; echo "==> tokens: the app before, after, after published ReadyToRun, after with the runtime's default tiering, and OpenVidu's minimal .NET backend"; load
timeout 1200 "${bench[@]}" --versus-peer --rounds 2 --app before="$before_app" --app after="$after_app" --app after-r2r="$work/after-r2r" --app "after-runtime-defaults=$after_app;DOTNET_TieredPGO=1;DOTNET_TC_CallCountingDelayMs=100" | grep -v '^  '

for side in before after; do
  folder=$([ $side = before ] && echo "$before_app" || echo "$after_app")
  echo; echo "==> memory per call page, $side"; load
  timeout 600 "${bench[@]}" --circuits 10 --app-folder "$folder" || echo "(circuits $side ended with $?)"
done

for side in before after; do
  folder=$([ $side = before ] && echo "$before_app" || echo "$after_app")
  echo; echo "==> fan-out to live-calls pages, $side"; load
  timeout 900 "${bench[@]}" --fanout 10,25,50 --joins 10 --app-folder "$folder" || echo "(fan-out $side ended with $?)"
done

for side in before after; do
  folder=$([ $side = before ] && echo "$before_app" || echo "$after_app")
  echo; echo "==> join to first remote frame with Janus, $side"; load
  timeout 900 "$root/tools/in-media-netns.sh" "${bench[@]}" --media 4 --rounds 5 --app-folder "$folder" || echo "(media $side ended with $?)"
done
echo; echo "==> done $(date -u '+%F %T') UTC"; load
