# lit configuration for CoroFrameOpt.
#
# Substitutions:
#   %opt          opt from LLVM 22 with the plugin loaded (-load-pass-plugin)
#   %plugin       path of libCoroFrameOpt.so
#   %clangxx      clang++ from LLVM 22
#   %cxxflags     -std=c++20 and the include path of the bundled test library
#   %inputs       test/Inputs
#   %run-compare  test/tools/run-compare.py with clang and the plugin filled in
#   %completed-resume-run  test/tools/completed-resume-run.py, likewise
#   %pyflakes, %mypy  Debian's pyflakes3 and mypy (features `pyflakes`,
#                 `mypy`): the lint and type check of the Python tools
#   %qcoro-flags  compile and link flags for QCoro + QtCore/QtNetwork programs
#                 (only with the `qcoro` feature)
#   %chromium     headless Chromium with the flags a test run needs (the test
#                 adds --user-data-dir=%t/...); feature `chromium`
#   FileCheck, not, count: LLVM 22's
import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "CoroFrameOpt"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".ll", ".cpp", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt"]
config.test_source_root = config.coro_test_src
config.test_exec_root = config.coro_test_obj

llvm_config.with_system_environment(["HOME", "TMPDIR"])
# The tools come from LLVM 22 only; /usr/bin may hold another LLVM.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

inputs = os.path.join(config.coro_test_src, "Inputs")
opt = os.path.join(config.llvm_tools_dir, "opt")
config.substitutions.append(("%plugin", config.coro_plugin))
config.substitutions.append(
    ("%opt", "%s -load-pass-plugin=%s" % (opt, config.coro_plugin)))
config.substitutions.append(("%stock-opt", opt))
config.substitutions.append(("%clangxx", config.clangxx))
config.substitutions.append(("%cxxflags", "-std=c++20 -I" + inputs))
config.substitutions.append(("%inputs", inputs))
config.substitutions.append(("%srcroot", config.coro_src_root))
config.substitutions.append(("%objroot", config.coro_obj_root))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%llvm-dir", config.llvm_dir))
config.substitutions.append((
    "%run-compare",
    "%s %s --clang %s --plugin %s" % (
        config.python_executable,
        os.path.join(config.coro_test_src, "tools", "run-compare.py"),
        config.clangxx, config.coro_plugin)))
config.substitutions.append((
    "%completed-resume-run",
    "%s %s --clang %s --plugin %s" % (
        config.python_executable,
        os.path.join(config.coro_test_src, "tools", "completed-resume-run.py"),
        config.clangxx, config.coro_plugin)))

llvm_config.add_tool_substitutions(["FileCheck", "not", "count", "llvm-dis"],
                                   [config.llvm_tools_dir])

# The Python tools' lint and type check (test/tools/python_lint.test,
# python_types.test) need Debian's pyflakes3 and mypy; tools/setup installs
# them.
for feature, program in (("pyflakes", "pyflakes3"), ("mypy", "mypy")):
    path = shutil.which(program)
    if path:
        config.available_features.add(feature)
        config.substitutions.append(("%" + feature, path))
    else:
        lit_config.note("%s not found: the Python tools are not checked with "
                        "it (REQUIRES: %s)" % (program, feature))
# Tests that need gdb (debugger checks) declare `REQUIRES: gdb`.
if shutil.which("gdb"):
    config.available_features.add("gdb")
# Third-party coroutine code from Debian's libasio-dev (tools/setup installs it).
if os.path.exists("/usr/include/asio.hpp"):
    config.available_features.add("asio")
# Boost.Asio 1.81 from Debian's libboost1.81-dev (header-only; clang >= 14 in
# C++20 mode needs no BOOST_ASIO_HAS_* defines): bench/boost/.
if os.path.exists("/usr/include/boost/asio/experimental/coro.hpp"):
    config.available_features.add("boost-asio")
# QCoro for Qt 6 from Debian's qcoro-qt6-dev (with qt6-base-dev):
# bench/qcoro/. %qcoro-flags are the compile and link flags of a program
# that uses QtCore, QtNetwork and QCoro's Core and Network libraries, with
# the Qt and QCoro headers as system headers (Qt 6.4's headers warn under
# clang 22).
def qcoro_flags():
    qcoro_inc = "/usr/include/qcoro6"
    if not os.path.exists(os.path.join(qcoro_inc, "qcoro", "qcorotask.h")):
        return None
    pkg_config = shutil.which("pkg-config")
    if not pkg_config:
        return None
    try:
        cflags = subprocess.run(
            [pkg_config, "--cflags", "Qt6Core", "Qt6Network"], check=True,
            capture_output=True, text=True).stdout.split()
        libs = subprocess.run(
            [pkg_config, "--libs", "Qt6Core", "Qt6Network"], check=True,
            capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    flags = ["-fPIC"]
    for f in cflags:
        flags += ["-isystem", f[2:]] if f.startswith("-I") else [f]
    for d in ("", "qcoro", "QCoro"):
        flags += ["-isystem", os.path.join(qcoro_inc, d) if d else qcoro_inc]
    return " ".join(flags + ["-lQCoro6Network", "-lQCoro6Core"] + libs)
_qcoro = qcoro_flags()
if _qcoro:
    config.available_features.add("qcoro")
    config.substitutions.append(("%qcoro-flags", _qcoro))
# Tests that render a page in a real browser declare `REQUIRES: chromium`
# (Debian's chromium; tools/setup installs it). Headless, without sandbox
# (we may be root), GPU or any network of its own; `timeout` so that a
# browser that hangs fails the test instead of the run.
chromium = shutil.which("chromium")
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append((
        "%chromium",
        "timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic "
        "--no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync" % chromium))
else:
    lit_config.note("chromium not found: the tests that render pages in a "
                    "browser (REQUIRES: chromium) are skipped")
if os.environ.get("CI", "") == "true":
    config.available_features.add("ci")
