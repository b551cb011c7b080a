#!/usr/bin/env bash
# Runs every libFuzzer target of a TREEM_BUILD_FUZZERS=ON build for a bounded time, each
# starting from a COPY of its stored corpus (tests/fuzz/corpus/<target>/) and regressions
# (tests/fuzz/regressions/<target>/): the source tree is never written. A crash, leak, timeout
# or violated invariant fails the run; the crashing input is kept under the work folder and
# printed in base64 so it can be turned into a regression test (docs/fuzzing.md).
#
#   bash tests/fuzz/run_fuzzers.sh BUILD_DIR [TARGET...]
#
# Environment: TREEM_FUZZ_SECONDS (default 20) per target; TREEM_FUZZ_JOBS (default 2)
# targets run at once; TREEM_FUZZ_WORK (default: a new temporary folder) keeps the corpora
# grown by the run, e.g. to merge them back (see docs/fuzzing.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_fuzzers.sh BUILD_DIR [TARGET...]}
shift
seconds=${TREEM_FUZZ_SECONDS:-20}
jobs=${TREEM_FUZZ_JOBS:-2}
work=${TREEM_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/treem-fuzz.XXXXXX")}
mkdir -p "$work"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$build"/tests/fuzz/treem_fuzz_*; do
    name=$(basename "$f")
    name=${name#treem_fuzz_}
    [ "$name" = make_corpus ] && continue
    targets+=("$name")
  done
fi
[ "${#targets[@]}" -gt 0 ] || { echo "no fuzz targets in $build/tests/fuzz" >&2; exit 1; }

run_one() {
  local t=$1 bin="$build/tests/fuzz/treem_fuzz_$1" dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "$here/corpus/$t" ]; then cp -R "$here/corpus/$t/." "$dir/corpus/"; fi
  if [ -d "$here/regressions/$t" ]; then cp -R "$here/regressions/$t/." "$dir/corpus/"; fi
  local start=$SECONDS rc=0
  # -timeout: one input taking longer is a hang; -rss_limit_mb: the default, stated.
  "$bin" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || true)
  if [ "$rc" -ne 0 ]; then
    echo "FAIL fuzz.$t (exit $rc after $((SECONDS - start)) s); log: $dir/log"
    tail -n 60 "$dir/log"
    for a in "$dir"/artifacts/*; do
      [ -f "$a" ] || continue
      echo "-- input $(basename "$a") ($(wc -c <"$a") bytes), base64:"
      head -c 65536 "$a" | base64 -w 0
      echo
    done
    return 1
  fi
  echo "ok   fuzz.$t: ${execs:-?} inputs in $((SECONDS - start)) s, corpus $(ls "$dir/corpus" | wc -l) files"
}
# Known leaks (lsan.supp) are suppressed by name; any other leak fails.
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export -f run_one
export build work seconds here

echo "fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time (work folder: $work)"
failed=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} || failed=1
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found a problem: see above; docs/fuzzing.md says how to make it a regression test"
  exit 1
fi
echo "fuzzing: ${#targets[@]} passed, 0 failed"
