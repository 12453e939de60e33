#!/usr/bin/env python3
"""Check the plugin's pass table (plugin/CoroPasses.def) against the plugin.

Usage:
  pass-table-check.py TABLE DIFFTEST INPUT.ll -- OPT [ARGS...]

TABLE is the table as the C preprocessor expands it, one entry a line:
  module|cgscc|function "NAME" CLASS
  disable "VALUE" "PASS" TRY
(test/plugin/pass_table.test makes it). For each pass, `OPT ARGS
-passes=<NAME at its level> -print-pipeline-passes` must accept the name and
print the pipeline back as given; each disable value must be accepted by
-coro-frame-opt-disable and name a pass of the table; DIFFTEST's
DISABLE_PASSES must be the disable values in TRY order. Prints one line per
check and exits 1 if any fails.
"""
import importlib.machinery
import importlib.util
import subprocess
import sys


def load_difftest(path):
    loader = importlib.machinery.SourceFileLoader("coro_difftest", path)
    spec = importlib.util.spec_from_loader("coro_difftest", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main(argv):
    sep = argv.index("--")
    table, difftest, ll = argv[1:sep]
    opt = argv[sep + 1:]
    passes, disables = [], []
    with open(table) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "disable":
                disables.append((int(words[3]), words[1].strip('"'), words[2].strip('"')))
            else:
                passes.append((words[0], words[1].strip('"'), words[2]))
    failed = 0

    def check(ok, what):
        nonlocal failed
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        failed += not ok

    for level, name, cls in passes:
        pipeline = name if level == "module" else "%s(%s)" % (level, name)
        r = subprocess.run(opt + ["-passes=" + pipeline, "-print-pipeline-passes",
                                  "-disable-output", ll],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        # opt appends its verifier to the pipeline.
        printed = r.stdout.strip()
        if printed.endswith(",verify"):
            printed = printed[:-len(",verify")]
        check(r.returncode == 0 and printed == pipeline,
              "%s pass %s (%s) prints back: %s" % (level, name, cls, printed))
    names = {name for _, name, _ in passes}
    for _, value, pass_name in disables:
        r = subprocess.run(opt + ["-coro-frame-opt-disable=" + value, "-disable-output", ll],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        check(r.returncode == 0 and not r.stdout, "-coro-frame-opt-disable=%s" % value)
        check(pass_name in names, "disable value %s names pass %s" % (value, pass_name))
    tried = [value for _, value, _ in sorted(disables)]
    got = load_difftest(difftest).DISABLE_PASSES
    check(got == tried, "coro-difftest tries %s" % ",".join(got))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
