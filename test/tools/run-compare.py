#!/usr/bin/env python3
"""run-compare.py - build a C++20 program with and without the CoroFrameOpt
plugin, run both, and check that they behave identically.

Usage:
  run-compare.py --clang <clang++> --plugin <libCoroFrameOpt.so> --out <dir>
                 [--levels "O0 O2"] [--sanitize] [--plugin-flags "<flags>"]
                 [--stdin FILE] -- <source.cpp> [extra compile flags...]

For each optimization level (default "O0 O2") the source is compiled twice
into <dir>, as stock-<level> and plugin-<level>:
  stock:  <clang++> -std=c++20 -<level> [sanitizer flags] <source> <flags>
  plugin: the same plus -fpass-plugin=<plugin> <plugin-flags>
Both binaries are run (stdin from FILE, or /dev/null); their stdout and exit
codes are compared. One line per level is printed, e.g. "O2: same (12 lines)".
Each binary leaves <binary>.stdout/.stderr/.rc and <binary>.compile.log.

--sanitize adds -fsanitize=address,undefined -fno-sanitize-recover=all -g to
both builds; a sanitizer report on a binary's stderr then counts as failure.
Sanitized binaries are named stock-<level>-san and plugin-<level>-san, so a
sanitized and a plain run can share one --out directory.
--plugin-flags is split on whitespace and passed only to the plugin build
(e.g. "-mllvm -some-option").

Exit status: 0 when every level matches; 1 on any difference (a unified
diff stock -> plugin is printed), compile failure, crash, non-zero exit,
sanitizer report or timeout; 2 on bad usage.

Environment:
  RUN_COMPARE_PLUGIN_FLAG  replaces "-fpass-plugin=<plugin>" (for testing
                           this script without a plugin: e.g. -DNOPLUGIN)
  RUN_COMPARE_TIMEOUT      seconds each binary may run (default 300)

Used by the lit run tests through the %run-compare substitution:
  // RUN: %run-compare --out %t -- %s -I%inputs/corolib | FileCheck %s
  // CHECK: O0: same

The builds and runs are corofo_tools.buildrun's (tools/corofo_tools), which
tools/run-examples and tools/coro-difftest use too.
"""
import difflib
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.realpath(__file__)))), "tools"))
from corofo_tools import buildrun

PROG = "run-compare"


def usage_error(msg):
    print("%s: error: %s" % (PROG, msg), file=sys.stderr)
    print("%s: run with --help for usage" % PROG, file=sys.stderr)
    sys.exit(2)


def parse(argv):
    opts = {"clang": "", "plugin": "", "out": "", "levels": "O0 O2",
            "sanitize": False, "plugin-flags": "", "stdin": ""}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        if arg == "--":
            i += 1
            break
        if arg == "--sanitize":
            opts["sanitize"] = True
            i += 1
            continue
        if arg.startswith("--") and arg[2:] in opts:
            if i + 1 >= len(argv):
                usage_error("option %s needs an argument" % arg)
            opts[arg[2:]] = argv[i + 1]
            i += 2
            continue
        usage_error("unknown option '%s' (did you forget '--' before the "
                    "source?)" % arg)
    rest = argv[i:]
    if not rest:
        usage_error("no source file given after '--'")
    for name in ("clang", "plugin", "out"):
        if not opts[name]:
            usage_error("--%s is required" % name)
    if not opts["levels"].split():
        usage_error("--levels is empty")
    return opts, rest[0], rest[1:]


def show(path, label, lines):
    """Print `lines` of the file `path`, indented, under a label line."""
    print("  --- %s (%s) ---" % (label, path))
    for line in lines:
        print("  | " + line)


def show_head(path, label):
    """The first 40 lines of a file (compiler errors and crash stack dumps
    start with what matters most)."""
    text = read_text(path)
    if text:
        show(path, label, text.splitlines()[:40])


def show_tail(path, label):
    """40 lines starting at the first sanitizer report if there is one,
    else the last 40 lines."""
    text = read_text(path)
    if not text:
        return
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines)
                  if buildrun.SANITIZER_REPORT.search(line)), None)
    show(path, label, lines[first:first + 40] if first is not None
         else lines[-40:])


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def judge(level, side, sanitize, timeout):
    """Print why a run failed; True when it is clean."""
    r, exe = side.run, side.exe
    status = r.shell_status()
    if r.timeout:
        print("%s: %s binary TIMED OUT after %ss (%s)"
              % (level, side.kind, timeout, exe))
    elif status > 128:
        print("%s: %s binary CRASHED with %s (%s)"
              % (level, side.kind, buildrun.signal_name(status - 128), exe))
    elif status != 0:
        print("%s: %s binary exited with status %d (%s)"
              % (level, side.kind, status, exe))
    elif sanitize and r.sanitizer_report():
        print("%s: %s binary reported a SANITIZER error (%s)"
              % (level, side.kind, exe))
    else:
        return True
    show_tail(exe + ".stderr", "stderr")
    return False


def main(argv):
    opts, src, extra_flags = parse(argv)
    clang, plugin, out = opts["clang"], opts["plugin"], opts["out"]
    stdin = opts["stdin"]
    if not shutil.which(clang):
        print("%s: error: compiler not found or not executable: %s"
              % (PROG, clang), file=sys.stderr)
        return 1
    if not os.path.exists(plugin):
        print("%s: error: plugin not found: %s" % (PROG, plugin),
              file=sys.stderr)
        print("%s: (build the CoroFrameOpt plugin first, e.g. cmake --build "
              "build)" % PROG, file=sys.stderr)
        return 1
    if not os.path.isfile(src):
        print("%s: error: source file not found: %s" % (PROG, src),
              file=sys.stderr)
        return 1
    if stdin and not os.access(stdin, os.R_OK):
        print("%s: error: --stdin file not readable: %s" % (PROG, stdin),
              file=sys.stderr)
        return 1
    try:
        os.makedirs(out, exist_ok=True)
    except OSError:
        print("%s: error: cannot create output directory %s" % (PROG, out),
              file=sys.stderr)
        return 1

    plugin_args = os.environ.get("RUN_COMPARE_PLUGIN_FLAG",
                                 buildrun.plugin_flag(plugin)).split() + \
        opts["plugin-flags"].split()
    san_flags = buildrun.SANITIZE_FLAGS if opts["sanitize"] else []
    env = buildrun.sanitizer_env() if opts["sanitize"] else None
    timeout = int(os.environ.get("RUN_COMPARE_TIMEOUT") or 300)

    status = 0
    for level in opts["levels"].split():
        level = level.lstrip("-")
        suffix = level + ("-san" if opts["sanitize"] else "")
        exes = [os.path.join(out, "stock-" + suffix),
                os.path.join(out, "plugin-" + suffix)]
        args = ["-std=c++20", "-" + level] + san_flags + [src] + extra_flags
        sides = buildrun.stock_and_plugin(clang, args, plugin_args, exes,
                                          timeout=timeout,
                                          stdin=stdin or None, env=env)
        for s in sides:
            if s.compile.ok:
                # Pass compiler diagnostics (warnings, remarks) through.
                sys.stderr.write(s.compile.log)
                sys.stderr.flush()
            else:
                print("%s: %s build FAILED" % (level, s.kind))
                print("  command: " + " ".join(s.compile.cmd))
                show_head(s.exe + ".compile.log", "compiler output")
        if not all(s.compile.ok for s in sides):
            status = 1
            continue
        if not all([judge(level, s, opts["sanitize"], timeout)
                    for s in sides]):
            status = 1
            continue
        stock, plug = sides[0].run, sides[1].run
        assert stock is not None and plug is not None
        if buildrun.same_output(stock, plug):
            print("%s: same (%d lines)" % (level, stock.stdout.count(b"\n")))
        else:
            print("%s: DIFFERENT output (stock vs plugin)" % level)
            diff = difflib.unified_diff(
                stock.stdout.decode("utf-8", "replace").splitlines(True),
                plug.stdout.decode("utf-8", "replace").splitlines(True),
                "stock-" + level, "plugin-" + level)
            sys.stdout.write("".join(line if line.endswith("\n")
                                     else line + "\n"
                                     for line in list(diff)[:200]))
            status = 1
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
