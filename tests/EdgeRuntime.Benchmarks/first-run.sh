#!/usr/bin/env bash
# Measures what a newcomer waits for: a clean clone of this checkout's HEAD, then the README's first command
# (`dotnet run -c Release --project src/EdgeRuntime.Worker`, which restores, builds and starts the daemon) until an
# independent MQTT client (mosquitto_sub) receives the device's retained online status. Prints the seconds, the
# machine's load and whether the NuGet cache already held the packages (a first run on a new machine also downloads).
#
#   tests/EdgeRuntime.Benchmarks/first-run.sh [PORT]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
port=${1:-18877}
work=$(mktemp -d)
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then
    for child in $(ps -o pid= --ppid "$daemon" 2>/dev/null); do kill -TERM "$child" 2>/dev/null || true; done
    kill -TERM "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$repo" "$work/clone"
cd "$work/clone"
cache=$( [ -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime" ] && echo warm || echo cold )
load=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s.%N)
EDGE_StateDirectory="$work/state" EDGE_Mqtt__EmbeddedPort="$port" dotnet run -c Release --project src/EdgeRuntime.Worker > "$work/daemon.log" 2>&1 &
daemon=$!
# The embedded broker lets in only its local credential, which the daemon writes to its state directory as it starts.
until mosquitto_sub -h 127.0.0.1 -p "$port" -u local -P "$(cat "$work/state/broker/password" 2>/dev/null)" -t 'edge/devices/+/status' -C 1 -W 2 2>/dev/null | grep -q '"state":"online"'; do
  kill -0 "$daemon" 2>/dev/null || { echo "first-run: the daemon stopped:"; tail -20 "$work/daemon.log"; exit 1; }
  sleep 0.2
done
end=$(date +%s.%N)
echo "first run on a clean clone: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s to the online status (NuGet cache $cache; load average before: $load; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
