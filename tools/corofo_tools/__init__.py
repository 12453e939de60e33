"""corofo_tools: what CoroFrameOpt's Python tools share.

The tools (tools/coro-frame-report, coro-bench, coro-difftest, coro-smith,
run-examples, and test/tools/*.py) are thin scripts; the parts they have in
common live here, once:

  remarks     reading clang's YAML optimization records: one loader that
              keeps every scalar the string that was written (a slot named
              `no` stays "no"), document splitting, Args, clone suffixes
  toolchain   where clang++ 22, the LLVM 22 binaries and the plugin are
  demangle    one llvm-cxxfilt call for many names
  buildrun    compile, run with a time-out, judge a run (crash, sanitizer
              report, exit status) and compare a stock build with a
              plugin build
  smith_runtime  renders tools/coro-smith-runtime.h, the C++ runtime every
              coro-smith program starts with
  bench_records  coro-bench's readers: records, symbols, the frame log,
              -ftime-report
  bench_tables   coro-bench's tables (text and Markdown)

A script finds the package through its own directory:

    sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

Standard library and python3-yaml only (Debian packages); the test suite
runs pyflakes and mypy over the package and every script
(test/tools/python_lint.test, docs/testing.md).
"""
