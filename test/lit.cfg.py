# lit configuration for CoroFrameOpt.
#
# Substitutions:
#   %opt          opt from LLVM 22 with the plugin loaded (-load-pass-plugin)
#   %plugin       path of libCoroFrameOpt.so
#   %clangxx      clang++ from LLVM 22
#   %cxxflags     -std=c++20 and the include path of the bundled test library
#   %inputs       test/Inputs
#   %run-compare  test/tools/run-compare.sh with clang and the plugin filled in
#   %completed-resume-run  test/tools/completed-resume-run.py, likewise
#   FileCheck, not, count: LLVM 22's
import os
import shutil

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
    "bash %s --clang %s --plugin %s" % (
        os.path.join(config.coro_test_src, "tools", "run-compare.sh"),
        config.clangxx, config.coro_plugin)))
config.substitutions.append((
    "%completed-resume-run",
    "%s %s --clang %s --plugin %s" % (
        config.python_executable,
        os.path.join(config.coro_test_src, "tools", "completed-resume-run.py"),
        config.clangxx, config.coro_plugin)))

llvm_config.add_tool_substitutions(["FileCheck", "not", "count", "llvm-dis"],
                                   [config.llvm_tools_dir])

# Tests that need gdb (debugger checks) declare `REQUIRES: gdb`.
if shutil.which("gdb"):
    config.available_features.add("gdb")
# Third-party coroutine code from Debian's libasio-dev (tools/setup installs it).
if os.path.exists("/usr/include/asio.hpp"):
    config.available_features.add("asio")
if os.environ.get("CI", "") == "true":
    config.available_features.add("ci")
