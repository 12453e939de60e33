"""Where the tools find clang++ 22, the LLVM 22 binaries and the plugin.

Every tool builds with LLVM 22 from Debian's llvm-22 packages
(/usr/lib/llvm-22/bin; /usr/bin may hold another LLVM) and loads the plugin
from the build tree (build/lib/libCoroFrameOpt.so); a tool's --clang,
--plugin, --build-dir or --llvm-bin options override these. One place says
so, so that the tools cannot drift apart.
"""

import os
import re
import shutil
import subprocess
from typing import Dict, Iterable, Optional

# The source tree: tools/corofo_tools/ is two levels below it. (In an
# installed copy of the package this is meaningless; the installed tool,
# coro-frame-report, does not use it.)
SRCROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))))
LLVM_BIN = "/usr/lib/llvm-22/bin"
DEFAULT_CLANGXX = os.path.join(LLVM_BIN, "clang++")
DEFAULT_BUILD_DIR = os.path.join(SRCROOT, "build")
PLUGIN_FILE = "libCoroFrameOpt.so"
# llvm-cxxfilt of LLVM 22 first; any demangler of the Itanium ABI will do.
CXXFILT_CANDIDATES = [os.path.join(LLVM_BIN, "llvm-cxxfilt"),
                      "llvm-cxxfilt-22", "llvm-cxxfilt", "c++filt"]


_CACHE_LINE = re.compile(r"^([A-Za-z0-9_]+):[A-Z]+=(.*)$")


def plugin_path(build_dir: Optional[str] = None) -> str:
    """The plugin a build directory holds (default: the source tree's
    build/)."""
    return os.path.join(build_dir or DEFAULT_BUILD_DIR, "lib", PLUGIN_FILE)


def read_cmake_cache(path: str) -> Dict[str, str]:
    """NAME -> value of the `NAME:TYPE=value` lines of a CMakeCache.txt;
    {} when there is none."""
    out: Dict[str, str] = {}
    try:
        with open(path) as f:
            for line in f:
                m = _CACHE_LINE.match(line.strip())
                if m:
                    out[m.group(1)] = m.group(2)
    except OSError:
        pass
    return out


def configured_clangxx(build_dir: str) -> str:
    """The clang++ the build directory was configured with (CMake's
    CORO_CLANGXX), else LLVM 22's."""
    cache = read_cmake_cache(os.path.join(build_dir, "CMakeCache.txt"))
    return cache.get("CORO_CLANGXX") or DEFAULT_CLANGXX


def find_program(candidates: Iterable[str]) -> Optional[str]:
    """The first of `candidates` that can be run: an absolute path that is
    executable, or a name found on PATH."""
    for cand in candidates:
        if os.path.isabs(cand):
            if os.access(cand, os.X_OK):
                return cand
        else:
            found = shutil.which(cand)
            if found:
                return found
    return None


def llvm_tool(name: str, bin_dir: str) -> Optional[str]:
    """`bin_dir`/`name` when it is executable, else None."""
    path = os.path.join(bin_dir, name)
    return path if os.access(path, os.X_OK) else None


def clang_version(clang: str) -> str:
    """The first line of `clang --version` ("?" when it prints nothing)."""
    lines = subprocess.run([clang, "--version"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True).stdout.splitlines()
    return lines[0] if lines else "?"
