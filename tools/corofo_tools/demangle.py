"""Demangling many C++ names with one llvm-cxxfilt call.

The plugin's remarks carry a coroutine's demangled name; LLVM's own
(coro-split) and symbol tables carry only the mangled one. The tools turn
those into readable names in one call of the demangler for all of them,
not one per name.
"""

import subprocess
from typing import Callable, Dict, Iterable, Optional

from . import toolchain


def find_cxxfilt() -> Optional[str]:
    """LLVM 22's llvm-cxxfilt, else another llvm-cxxfilt or c++filt on
    PATH; None when there is none."""
    return toolchain.find_program(toolchain.CXXFILT_CANDIDATES)


def demangle(names: Iterable[str], tool: Optional[str] = None,
             warn: Optional[Callable[[str], None]] = None) -> Dict[str, str]:
    """{mangled: demangled} for `names`, from one call of `tool` (default:
    find_cxxfilt()). When that is impossible (no tool, it fails, or it gives
    a different number of lines) the result is {} and, with `warn`, the
    reason is told: callers then show the mangled names."""
    wanted = sorted(set(n for n in names if "\n" not in n))
    if not wanted:
        return {}
    tool = tool or find_cxxfilt()
    if tool is None:
        if warn:
            warn("llvm-cxxfilt not found; showing mangled names")
        return {}
    try:
        out = subprocess.run([tool], input="\n".join(wanted) + "\n",
                             capture_output=True, text=True, check=True,
                             timeout=120).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as e:
        if warn:
            warn("%s failed (%s); showing mangled names" % (tool, e))
        return {}
    if len(out) != len(wanted):
        if warn:
            warn("%s gave %d names for %d; showing mangled names"
                 % (tool, len(out), len(wanted)))
        return {}
    return dict(zip(wanted, out))
