#!/usr/bin/env bash
# pack-kernel-checks.sh [--verify]
# Run from the repository root on a development machine with the .NET SDK. Builds the kernel tests
# (tests/EdgeRuntime.Kernels.Tests, an xunit v3 executable) and the benchmarks (tests/EdgeRuntime.Benchmarks)
# as one self-contained linux-x64 folder and packs it into .devcarry/kernel-checks.tar.xz (ignored by git),
# for a GPU machine that has only the NVIDIA driver: no .NET, no CUDA toolkit (ILGPU's CUDA accelerator needs the
# driver alone). The UltraFace models from ../shared/models go in too when present, so the model tests run there.
#
# It publishes with the flags of /work/shared/scripts/gpu-pack.sh (self-contained, untrimmed, Release), but the
# two projects into one folder: they share one .NET runtime and ONNX Runtime (about 37 MiB packed together, against
# about 2 × 36 MiB as two gpu-pack.sh archives, over the 64 MiB a device run carries), and it works in a git
# worktree, where gpu-pack.sh stops at `.git/info/exclude` (.git is a file there).
#
# --verify unpacks the archive outside the checkout and runs it here on ILGPU's CPU accelerator: every CPU test,
# the GPU tests (which skip with their reason), and a short benchmark.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
name=kernel-checks
limit_mib=64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/$name"
for project in tests/EdgeRuntime.Kernels.Tests/EdgeRuntime.Kernels.Tests.csproj tests/EdgeRuntime.Benchmarks/EdgeRuntime.Benchmarks.csproj; do
  echo "publishing $project"
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o "$work/$(basename "${project%.csproj}")" >/dev/null
done
mkdir -p "$out"
cp -r "$work/EdgeRuntime.Kernels.Tests/." "$out/"
# Files both publish are the same builds of the same packages; keep the first copy of each.
cp -rn "$work/EdgeRuntime.Benchmarks/." "$out/"
shared="$root/../shared/models/ultraface-rfb-320"
if [ -d "$shared" ]; then
  mkdir -p "$out/shared-models/ultraface-rfb-320"
  cp "$shared"/version-RFB-320.onnx "$shared"/version-RFB-320_without_postprocessing.onnx "$shared"/SOURCE.txt "$out/shared-models/ultraface-rfb-320/"
fi
cp deploy/gpu/run-kernel-checks.sh "$out/"
mkdir -p .devcarry
XZ_OPT=-T0 tar cJf ".devcarry/$name.tar.xz" -C "$out" .
size=$(du -m ".devcarry/$name.tar.xz" | cut -f1)
echo "packed .devcarry/$name.tar.xz (${size} MiB)"
if [ "$size" -ge "$limit_mib" ]; then
  echo "pack-kernel-checks: ${size} MiB is over the ${limit_mib} MiB a device run carries" >&2
  exit 1
fi
echo "on the GPU machine, from the repository root with .devcarry carried along:"
echo "  deploy/gpu/run-kernel-checks.sh"

if [ "${1:-}" = "--verify" ]; then
  check=$(mktemp -d)
  trap 'rm -rf "$work" "$check"' EXIT
  tar xJf ".devcarry/$name.tar.xz" -C "$check"
  echo "verifying the pack here (outside the checkout, CPU accelerator)"
  (cd "$check" && EDGE_SHARED_MODELS="$check/shared-models" ./EdgeRuntime.Kernels.Tests -noColor -noLogo -trait- "requires=gpu")
  (cd "$check" && ./EdgeRuntime.Kernels.Tests -noColor -noLogo -trait "requires=gpu" | tail -2)
  (cd "$check" && ./EdgeRuntime.Benchmarks kernels --runs 3 --ms 50)
fi
