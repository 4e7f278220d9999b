#!/usr/bin/env bash
# Runs the build stages of Dockerfile.arm64 ("projects" and "build") without Docker, as `docker build` would run them:
# the same COPY, WORKDIR and RUN instructions, read from the Dockerfile itself and executed in order, each stage in a
# fresh folder standing in for its image (the build context filtered by .dockerignore, like Docker's). The published
# daemon lands in OUT (default: artifacts/docker-build/out) and is checked to be a linux-arm64 executable.
#
#   deploy/docker-build-steps.sh [OUT]
#
# Needs the .NET SDK of global.json and a NuGet feed. Only the instructions these stages use are understood
# (FROM … AS, WORKDIR, COPY [--from=STAGE], RUN, ARG and comments); anything else stops the script, so a change to
# the Dockerfile cannot silently go unchecked.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile="$repo/Dockerfile.arm64"
out=${1:-$repo/artifacts/docker-build/out}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build context: the checkout without what .dockerignore excludes (its patterns, as tar reads them).
context="$work/context"
mkdir -p "$context"
excludes=(--exclude=./artifacts)
while IFS= read -r pattern; do
  if [ -z "$pattern" ] || [ "${pattern#\#}" != "$pattern" ]; then continue; fi
  pattern=${pattern#\*\*/}
  excludes+=("--exclude=${pattern%/}")
done < "$repo/.dockerignore"
tar -C "$repo" "${excludes[@]}" -cf - . | tar -C "$context" -xf -

declare -A stage_root stage_workdir
stage=""
# Joins continuation lines, drops comments.
instructions=$(sed -e 's/\r$//' "$dockerfile" | awk '/^[[:space:]]*#/ {next} { if (sub(/\\$/, "")) { line = line $0 " "; next } print line $0; line = "" }')
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  read -r keyword rest <<< "$line"
  case "${keyword^^}" in
    ARG) continue ;;
    FROM)
      name=$(sed -nE 's/.* [Aa][Ss] ([A-Za-z0-9_-]+)$/\1/p' <<< "$rest")
      if [ "$name" != projects ] && [ "$name" != build ]; then stage=""; continue; fi
      stage=$name
      stage_root[$stage]="$work/stage-$stage"
      mkdir -p "${stage_root[$stage]}"
      stage_workdir[$stage]=/
      echo "== stage $stage"
      ;;
    WORKDIR|COPY|RUN)
      [ -z "$stage" ] && continue
      root=${stage_root[$stage]}
      case "${keyword^^}" in
        WORKDIR)
          stage_workdir[$stage]=$rest
          mkdir -p "$root$rest"
          ;;
        COPY)
          set -- $rest
          from=""
          if [[ "$1" == --from=* ]]; then from=${1#--from=}; shift; fi
          [ $# -eq 2 ] || { echo "docker-build-steps: cannot run: COPY $rest" >&2; exit 2; }
          dest=$2
          [[ "$dest" == /* ]] || dest="${stage_workdir[$stage]%/}/$dest"
          if [ -n "$from" ]; then source="${stage_root[$from]}$1"; else source="$context/${1#./}"; fi
          echo "-- COPY ${from:+--from=$from }$1 $2"
          mkdir -p "$root$dest"
          cp -a "${source%/}/." "$root$dest" 2>/dev/null || cp -a "$source" "$root$dest"
          ;;
        RUN)
          echo "-- RUN $rest"
          (cd "$root${stage_workdir[$stage]}" && bash -euo pipefail -c "$rest")
          ;;
      esac
      ;;
    *)
      [ -z "$stage" ] && continue
      echo "docker-build-steps: instruction not understood in stage $stage: $line" >&2
      exit 2
      ;;
  esac
done <<< "$instructions"

published="${stage_root[build]}${stage_workdir[build]%/}/out"
[ -x "$published/edge-runtime" ] || { echo "docker-build-steps: no executable $published/edge-runtime" >&2; exit 1; }
# ELF header: class 64-bit (byte 4 = 2), machine AArch64 (bytes 18-19 = 0xb7 0x00).
machine=$(od -An -tx1 -j18 -N2 "$published/edge-runtime" | tr -d ' \n')
[ "$machine" = b700 ] || { echo "docker-build-steps: edge-runtime is not an arm64 executable (ELF machine $machine)" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$(dirname "$out")" && cp -a "$published" "$out"
echo "OK: $out/edge-runtime is a linux-arm64 executable ($(du -sh "$out" | cut -f1) published, $(ls "$out" | wc -l) files)"
