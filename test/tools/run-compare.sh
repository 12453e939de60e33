#!/usr/bin/env bash
# run-compare.sh - build a C++20 program with and without the CoroFrameOpt
# plugin, run both, and check that they behave identically.
#
# Usage:
#   run-compare.sh --clang <clang++> --plugin <libCoroFrameOpt.so> --out <dir>
#                  [--levels "O0 O2"] [--sanitize] [--plugin-flags "<flags>"]
#                  [--stdin FILE] -- <source.cpp> [extra compile flags...]
#
# For each optimization level (default "O0 O2") the source is compiled twice
# into <dir>, as stock-<level> and plugin-<level>:
#   stock:  <clang++> -std=c++20 -<level> [sanitizer flags] <source> <flags>
#   plugin: the same plus -fpass-plugin=<plugin> <plugin-flags>
# Both binaries are run (stdin from FILE, or /dev/null); their stdout and exit
# codes are compared. One line per level is printed, e.g. "O2: same (12 lines)".
# Each binary leaves <binary>.stdout/.stderr/.rc and <binary>.compile.log.
#
# --sanitize adds -fsanitize=address,undefined -fno-sanitize-recover=all -g to
# both builds; a sanitizer report on a binary's stderr then counts as failure.
# Sanitized binaries are named stock-<level>-san and plugin-<level>-san, so a
# sanitized and a plain run can share one --out directory.
# --plugin-flags is split on whitespace and passed only to the plugin build
# (e.g. "-mllvm -some-option").
#
# Exit status: 0 when every level matches; 1 on any difference (a unified
# diff stock -> plugin is printed), compile failure, crash, non-zero exit,
# sanitizer report or timeout; 2 on bad usage.
#
# Environment:
#   RUN_COMPARE_PLUGIN_FLAG  replaces "-fpass-plugin=<plugin>" (for testing
#                            this script without a plugin: e.g. -DNOPLUGIN)
#   RUN_COMPARE_TIMEOUT      seconds each binary may run (default 300)
#
# Used by the lit run tests through the %run-compare substitution:
#   // RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
#   // CHECK: O0: same

set -u -o pipefail

prog=$(basename "$0")

usage() {
  sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
  exit 0
}

die_usage() {
  echo "$prog: error: $*" >&2
  echo "$prog: run with --help for usage" >&2
  exit 2
}

need_arg() { # option, remaining-arg-count
  [[ $2 -ge 2 ]] || die_usage "option $1 needs an argument"
}

clang=""
plugin=""
out=""
levels="O0 O2"
sanitize=0
plugin_flags=""
stdin_file=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --clang)        need_arg "$1" $#; clang=$2; shift 2 ;;
    --plugin)       need_arg "$1" $#; plugin=$2; shift 2 ;;
    --out)          need_arg "$1" $#; out=$2; shift 2 ;;
    --levels)       need_arg "$1" $#; levels=$2; shift 2 ;;
    --sanitize)     sanitize=1; shift ;;
    --plugin-flags) need_arg "$1" $#; plugin_flags=$2; shift 2 ;;
    --stdin)        need_arg "$1" $#; stdin_file=$2; shift 2 ;;
    -h|--help)      usage ;;
    --)             shift; break ;;
    *)              die_usage "unknown option '$1' (did you forget '--' before the source?)" ;;
  esac
done

[[ $# -ge 1 ]] || die_usage "no source file given after '--'"
src=$1
shift
extra_flags=("$@")

[[ -n $clang ]] || die_usage "--clang is required"
[[ -n $plugin ]] || die_usage "--plugin is required"
[[ -n $out ]] || die_usage "--out is required"
[[ -n ${levels// /} ]] || die_usage "--levels is empty"

if ! command -v "$clang" >/dev/null 2>&1; then
  echo "$prog: error: compiler not found or not executable: $clang" >&2
  exit 1
fi
if [[ ! -e $plugin ]]; then
  echo "$prog: error: plugin not found: $plugin" >&2
  echo "$prog: (build the CoroFrameOpt plugin first, e.g. cmake --build build)" >&2
  exit 1
fi
if [[ ! -f $src ]]; then
  echo "$prog: error: source file not found: $src" >&2
  exit 1
fi
if [[ -n $stdin_file && ! -r $stdin_file ]]; then
  echo "$prog: error: --stdin file not readable: $stdin_file" >&2
  exit 1
fi
stdin_file=${stdin_file:-/dev/null}

mkdir -p "$out" || { echo "$prog: error: cannot create output directory $out" >&2; exit 1; }

read -r -a plugin_extra <<<"$plugin_flags"
plugin_flag=${RUN_COMPARE_PLUGIN_FLAG-"-fpass-plugin=$plugin"}
read -r -a plugin_flag_words <<<"$plugin_flag"

san_flags=()
if [[ $sanitize == 1 ]]; then
  san_flags=(-fsanitize=address,undefined -fno-sanitize-recover=all -g)
  # Leak checking is on by default with ASan on Linux; say so explicitly, but
  # let the caller's own ASAN_OPTIONS/UBSAN_OPTIONS come last and win.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
fi

timeout_s=${RUN_COMPARE_TIMEOUT:-300}
timeout_cmd=()
if command -v timeout >/dev/null 2>&1; then
  timeout_cmd=(timeout -k 10 "$timeout_s")
fi

sanitizer_report_re='ERROR: (Address|Leak|Memory|Thread|Undefined)Sanitizer|runtime error:|WARNING: (Address|Leak)Sanitizer'

# Print (part of) a file indented to stdout: 40 lines starting at the first
# sanitizer report if there is one, else the last 40 lines.
show_tail() { # file, label
  [[ -s $1 ]] || return 0
  local first
  first=$(grep -En -m1 "$sanitizer_report_re" "$1" | cut -d: -f1)
  echo "  --- $2 ($1) ---"
  if [[ -n $first ]]; then
    tail -n "+$first" "$1" | head -n 40 | sed 's/^/  | /'
  else
    tail -n 40 "$1" | sed 's/^/  | /'
  fi
}

# The first 40 lines of a file, indented (compiler errors and crash stack
# dumps start with what matters most).
show_head() { # file, label
  [[ -s $1 ]] || return 0
  echo "  --- $2 ($1) ---"
  head -n 40 "$1" | sed 's/^/  | /'
}

signal_name() { # exit status > 128
  local n=$(($1 - 128)) name
  name=$(kill -l "$n" 2>/dev/null) || name="signal $n"
  echo "SIG${name#SIG}"
}

# compile <kind> <level> <binary> <compile args...>; 0 on success.
compile() {
  local kind=$1 level=$2 bin=$3
  shift 3
  local log="$bin.compile.log"
  if "$clang" "$@" -o "$bin" >"$log" 2>&1; then
    # Pass compiler diagnostics (warnings, remarks) through on stderr.
    [[ -s $log ]] && cat "$log" >&2
    return 0
  fi
  echo "$level: $kind build FAILED"
  echo "  command: $clang $* -o $bin"
  show_head "$log" "compiler output"
  return 1
}

# run <kind> <level> <binary>; writes <binary>.stdout/.stderr/.rc; 0 if clean.
run() {
  local kind=$1 level=$2 bin=$3 rc
  "${timeout_cmd[@]}" "$bin" <"$stdin_file" >"$bin.stdout" 2>"$bin.stderr"
  rc=$?
  echo "$rc" >"$bin.rc"
  if [[ ${#timeout_cmd[@]} -gt 0 && ($rc == 124 || $rc == 137) ]]; then
    echo "$level: $kind binary TIMED OUT after ${timeout_s}s ($bin)"
    show_tail "$bin.stderr" "stderr"
    return 1
  fi
  if [[ $rc -gt 128 ]]; then
    echo "$level: $kind binary CRASHED with $(signal_name "$rc") ($bin)"
    show_tail "$bin.stderr" "stderr"
    return 1
  fi
  if [[ $rc -ne 0 ]]; then
    echo "$level: $kind binary exited with status $rc ($bin)"
    show_tail "$bin.stderr" "stderr"
    return 1
  fi
  if [[ $sanitize == 1 ]] && grep -Eq "$sanitizer_report_re" "$bin.stderr"; then
    echo "$level: $kind binary reported a SANITIZER error ($bin)"
    show_tail "$bin.stderr" "stderr"
    return 1
  fi
  return 0
}

status=0
for level in $levels; do
  level=${level#-}
  suffix=$level
  [[ $sanitize == 1 ]] && suffix+=-san # a sanitized run may share --out
  stock_bin="$out/stock-$suffix"
  plugin_bin="$out/plugin-$suffix"
  rm -f "$stock_bin" "$plugin_bin" "$stock_bin".{stdout,stderr,rc} "$plugin_bin".{stdout,stderr,rc}

  common=(-std=c++20 "-$level" "${san_flags[@]}" "$src" "${extra_flags[@]}")

  ok=1
  compile stock "$level" "$stock_bin" "${common[@]}" || ok=0
  compile plugin "$level" "$plugin_bin" "${common[@]}" "${plugin_flag_words[@]}" "${plugin_extra[@]}" || ok=0
  if [[ $ok == 0 ]]; then
    status=1
    continue
  fi

  run stock "$level" "$stock_bin" || ok=0
  run plugin "$level" "$plugin_bin" || ok=0
  if [[ $ok == 0 ]]; then
    status=1
    continue
  fi

  if cmp -s "$stock_bin.stdout" "$plugin_bin.stdout"; then
    lines=$(wc -l <"$stock_bin.stdout")
    echo "$level: same ($((lines)) lines)"
  else
    echo "$level: DIFFERENT output (stock vs plugin)"
    diff -u --label "stock-$level" --label "plugin-$level" \
      "$stock_bin.stdout" "$plugin_bin.stdout" | head -n 200
    status=1
  fi
done

exit $status
