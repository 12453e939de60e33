#!/usr/bin/env python3
"""Run a program that resumes a completed coroutine under each policy of
-coro-frame-opt-completed-resume, and check what each policy promises.

Usage:
  completed-resume-run.py --clang CLANG++ --plugin LIB --out DIR
      [--levels "O0 O2"] [--sanitize] [--stock-tu FILE]
      -- SOURCE [compile flags...]

The program marks its bad resumes with `#ifndef SKIP_BAD_RESUME`. For each
level, with and without -fno-exceptions, it builds:
  ref      stock clang, -DSKIP_BAD_RESUME: what the program prints had the bad
           resume not happened;
  stock    stock clang, with the bad resume (undefined behaviour);
  pending  the plugin, policy pending: must print exactly what ref prints and
           exit 0;
  trap     the plugin, policy trap: must exit abnormally with the plugin's
           message on stderr, after printing a prefix of ref's output;
  ub       the plugin, policy ub, overlap off (it changes frame layout, which
           changes what undefined behaviour does): same output and exit
           status as stock.
With --sanitize only ref and pending are built, with ASan+UBSan, and any
sanitizer report is a failure. --stock-tu names a second source always built
without the plugin and linked first (so the linker meets its copies of
inline functions first).

Prints one line per configuration and policy, e.g.
  O2-fno-exceptions pending: same as without the bad resume (5 lines)
and `FAIL ...` lines on violations; exit status 1 if any.
"""
import argparse
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.realpath(__file__)))), "tools"))
from corofo_tools import buildrun

SAN = buildrun.SANITIZE_FLAGS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clang", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--levels", default="O0 O2")
    ap.add_argument("--sanitize", action="store_true")
    ap.add_argument("--stock-tu")
    ap.add_argument("rest", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    rest = a.rest[1:] if a.rest[:1] == ["--"] else a.rest
    if not rest:
        ap.error("no source after --")
    src, flags = rest[0], rest[1:]
    os.makedirs(a.out, exist_ok=True)

    def build(name, level, extra, plugin_flags):
        """Compile (and link) one binary; returns its path or raises."""
        exe = os.path.join(a.out, name)
        common = [a.clang, "-std=c++20", "-" + level] + extra + flags
        objs = []
        if a.stock_tu:
            obj = exe + ".stock-tu.o"
            run_compiler(common + ["-c", a.stock_tu, "-o", obj], exe)
            objs.append(obj)
        obj = exe + ".o"
        run_compiler(common + plugin_flags + ["-c", src, "-o", obj], exe)
        objs.append(obj)
        run_compiler([a.clang] + (SAN if "-fsanitize=address,undefined" in extra
                                  else []) + objs + ["-o", exe], exe)
        return exe

    def plugin(policy, *more):
        return [buildrun.plugin_flag(a.plugin), "-mllvm",
                "-coro-frame-opt-completed-resume=" + policy] + list(more)

    jobs = []
    for level in a.levels.split():
        for exc in ([], ["-fno-exceptions"]):
            tag = level + "".join(exc)
            base = (SAN if a.sanitize else []) + exc
            suffix = "-san" if a.sanitize else ""
            cfg = {"ref": (base + ["-DSKIP_BAD_RESUME"], []),
                   "pending": (base, plugin("pending"))}
            if not a.sanitize:
                cfg["stock"] = (base, [])
                cfg["trap"] = (base, plugin("trap"))
                cfg["ub"] = (base, plugin("ub", "-mllvm",
                                          "-coro-frame-opt-disable=overlap"))
            for what, (extra, pflags) in cfg.items():
                jobs.append((tag, what, tag + "-" + what + suffix, level,
                             extra, pflags))

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futs = {pool.submit(build_and_run, build, *j[2:]): j for j in jobs}
        for f in futs:
            tag, what = futs[f][:2]
            results[(tag, what)] = f.result()

    failed = False
    for level in a.levels.split():
        for exc in ("", "-fno-exceptions"):
            tag = level + exc
            ref = results[(tag, "ref")]
            if ref["error"] or ref["rc"] != 0 or sanitizer(ref):
                print("FAIL %s ref: %s" % (tag, describe(ref)))
                failed = True
                continue
            failed |= check(tag, "pending", results[(tag, "pending")], ref,
                            expect="same")
            if a.sanitize:
                continue
            stock = results[(tag, "stock")]
            print("%s stock: %s" % (tag, "prints what ref prints"
                                    if stock["out"] == ref["out"]
                                    and stock["rc"] == 0
                                    else "differs from ref (%s)" %
                                    describe(stock)))
            failed |= check(tag, "trap", results[(tag, "trap")], ref,
                            expect="trap")
            failed |= check(tag, "ub", results[(tag, "ub")], stock,
                            expect="stock")
    return 1 if failed else 0


def run_compiler(cmd, exe):
    c = buildrun.compile(cmd)
    with open(exe + ".compile.log", "a") as log:
        log.write(" ".join(cmd) + "\n" + c.log)
    if not c.ok:
        raise RuntimeError("compile failed: %s\n%s" % (" ".join(cmd),
                                                        c.log[-2000:]))


def build_and_run(build, name, level, extra, pflags):
    try:
        exe = build(name, level, extra, pflags)
    except RuntimeError as e:
        return {"error": str(e), "out": "", "err": "", "rc": None}
    p = buildrun.run(exe, timeout=60)
    if p.timeout:
        r = {"error": "timeout", "out": "", "err": "", "rc": None}
    else:
        r = {"error": None, "out": p.stdout.decode("utf-8", "replace"),
             "err": p.stderr.decode("utf-8", "replace"), "rc": p.rc}
    for k in ("out", "err"):
        with open(exe + "." + ("stdout" if k == "out" else "stderr"), "w") as f:
            f.write(r[k])
    return r


def status(rc):
    """`exit N`, or the signal that killed the program."""
    if rc is not None and rc < 0:
        return buildrun.signal_name(-rc)
    return "exit %s" % rc


def sanitizer(r):
    return "Sanitizer" in r["err"] or "runtime error:" in r["err"]


def describe(r):
    if r["error"]:
        return r["error"].splitlines()[0]
    first = r["err"].strip().splitlines()[:1]
    return "%s, %d lines%s" % (status(r["rc"]), len(r["out"].splitlines()),
                                    ", stderr: " + first[0] if first else "")


def check(tag, policy, r, ref, expect):
    head = "%s %s: " % (tag, policy)
    if r["error"]:
        print("FAIL " + head + r["error"])
        return True
    if expect == "same":
        if r["rc"] == 0 and r["out"] == ref["out"] and not sanitizer(r):
            print(head + "same as without the bad resume (%d lines)" %
                  len(r["out"].splitlines()))
            return False
    elif expect == "trap":
        msg = [l for l in r["err"].splitlines() if "coro-frame-opt:" in l]
        if r["rc"] != 0 and msg and ref["out"].startswith(r["out"]):
            print(head + "stopped at the bad resume (%s): %s" %
                  (status(r["rc"]), msg[0]))
            return False
    elif expect == "stock":
        if r["rc"] == ref["rc"] and r["out"] == ref["out"]:
            print(head + "same as stock (%s)" % status(r["rc"]))
            return False
    print("FAIL " + head + describe(r) + " (expected: " + expect + ")")
    return True


if __name__ == "__main__":
    sys.exit(main())
