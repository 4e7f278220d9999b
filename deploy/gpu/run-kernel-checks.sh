#!/usr/bin/env bash
# run-kernel-checks.sh [ARCHIVE]
# On a machine with an NVIDIA GPU and its driver (no .NET, no CUDA toolkit needed): unpacks the archive made by
# deploy/gpu/pack-kernel-checks.sh (default .devcarry/kernel-checks.tar.xz), then
#   1. lists the GPU (nvidia-smi -L, when installed),
#   2. runs the kernel tests that carry requires=gpu on the CUDA accelerator with EDGE_REQUIRE_GPU=1, so a machine
#      where CUDA cannot be used fails them instead of skipping (the same comparisons with the C# references as
#      the CPU tests, with the GPU tolerances stated in each test class),
#   3. runs every other kernel test (CPU accelerator; the UltraFace model tests with the packed models),
#   4. runs the kernels benchmark on CUDA (--require: exits 3 rather than measure a CPU fallback), then on the
#      CPU accelerator for comparison.
# Logs and xunit XML results go to $OUT when it is set (a device run's output folder), else to ./kernel-checks-out.
# Exit status: the first failing step's.
set -uo pipefail
archive=${1:-.devcarry/kernel-checks.tar.xz}
out=${OUT:-$PWD/kernel-checks-out}
mkdir -p "$out"
dir=$(mktemp -d /tmp/kernel-checks.XXXXXX)
tar xJf "$archive" -C "$dir" || { echo "run-kernel-checks: cannot unpack $archive" >&2; exit 1; }
export EDGE_SHARED_MODELS="$dir/shared-models" DOTNET_CLI_TELEMETRY_OPTOUT=1
status=0
step() { # name, command...
  local name=$1; shift
  echo "=== $name"
  (cd "$dir" && "$@") 2>&1 | tee "$out/$name.log"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc"
  if [ "$rc" -ne 0 ] && [ "$status" -eq 0 ]; then status=$rc; fi
}
{ command -v nvidia-smi >/dev/null && nvidia-smi -L; grep -m1 'model name' /proc/cpuinfo; } 2>&1 | tee "$out/machine.log"
step gpu-tests env EDGE_REQUIRE_GPU=1 ./EdgeRuntime.Kernels.Tests -noColor -noLogo -trait "requires=gpu" -xml "$out/gpu-tests.xml"
step cpu-tests ./EdgeRuntime.Kernels.Tests -noColor -noLogo -trait- "requires=gpu" -xml "$out/cpu-tests.xml"
step benchmark-cuda ./EdgeRuntime.Benchmarks kernels --accelerator cuda --require
step benchmark-cpu ./EdgeRuntime.Benchmarks kernels --accelerator cpu --runs 5 --ms 100
rm -rf "$dir"
exit "$status"
