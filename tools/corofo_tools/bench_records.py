"""coro-bench's readers: what a build's records, symbols, logs and timings say.

The benchmark harness (tools/coro-bench) measures; this module parses what
the measured builds leave behind, each reader a function of its input:

  frames_from_remarks  the frames of one build, from its optimization
                       records (read with corofo_tools.remarks)
  correct_stock_sizes  stock's frame sizes as allocated, where a plugin
                       build knows them
  symbol_sizes, symbol_addresses, text_size
                       llvm-nm and llvm-size output
  read_alloc_log, frame_owner
                       the run-time frame log (bench/common/frame_alloc_log.cpp)
  parse_time_report    clang's -ftime-report

The constants say which remarks carry which figure; docs/benchmarks.md says
what each number means.
"""

import os
import re

from . import remarks
from .buildrun import capture as run_capture
from .toolchain import SRCROOT

# Where a build's frame size comes from, first match wins: (remark pass,
# remark name or None for any, argument). The size is what the program
# allocates: the report's CoroFrame remark says so after every pass of ours;
# without it, the overlap's remarks (the allocation that stayed when a
# re-layout could not reach it, else the new size); LLVM's own coro-split
# remark (all that stock clang has) is the fallback.
FRAME_SIZE_SOURCES = [
    ("coro-frame", "CoroFrame", "frame_size"),
    ("coro-frame-overlap", "AllocationNotResized", "alloc_size"),
    ("coro-frame-overlap", "FrameOverlapped", "new_size"),
    ("coro-split", None, "frame_size"),
]
# One remark per suspend point coro-state-collapse merged into another: the
# coroutine has one state fewer than it would have had without the plugin.
COLLAPSE_PASS, COLLAPSE_NAME = "coro-state-collapse", "StateCollapsed"

# Where the analysis's lower bound comes from, first match wins: (remark
# pass, remark name, argument). The report pass's CoroFrame remark; a frame
# that coro-frame-overlap has re-laid out may no longer be analysable by a
# report that runs after it, but the overlap remark carries the bound too.
LOWER_BOUND_SOURCES = [
    ("coro-frame", "CoroFrame", "lower_bound"),
    ("coro-frame-overlap", "FrameOverlapped", "lower_bound"),
]
# The report pass's remarks: per coroutine, CoroFrame (analysed: demangled
# name, states, slots) or NotAnalysed (with a reason).
ANALYSIS_PASS, ANALYSIS_NAME, NOT_ANALYSED_NAME = (
    "coro-frame", "CoroFrame", "NotAnalysed")
# -foptimization-record-passes: only the remarks read here, so that the
# records stay small and the plugin build writes about as much as stock.
READ_PASSES = ({p for p, _, _ in FRAME_SIZE_SOURCES} |
               {ANALYSIS_PASS, COLLAPSE_PASS} |
               {p for p, _, _ in LOWER_BOUND_SOURCES})
REMARK_PASSES = "^(%s)$" % "|".join(re.escape(p) for p in sorted(READ_PASSES))

# A frame whose allocation did not follow a re-layout: the overlap pass says
# so with this remark, and the report's CoroFrame remark then has a
# layout_size argument smaller than frame_size (the bytes allocated). Goal:
# none. (layout_size also appears, larger than frame_size, for a frame whose
# alignment exceeds its struct's: CoroSplit's recorded size is rounded up to
# the alignment, the allocation is not. That is not counted.)
NOT_RESIZED_PASS, NOT_RESIZED_NAME = "coro-frame-overlap", "AllocationNotResized"
LAYOUT_SIZE_ARG = "layout_size"

# Frame bytes at run time. bench/common/frame_alloc_log.cpp is compiled once
# per run and linked into every corpus program with -Wl,--wrap=SYM for these
# allocation functions: --wrap redirects only the program's own references,
# so it needs no LD_PRELOAD and leaves the shared libraries alone. At exit the
# program writes (to the file named by ALLOC_LOG_ENV) the blocks it freed,
# keyed by size and by the block's second pointer-sized word, which in a
# switch-ABI frame is the address of the coroutine's destroy function.
ALLOC_LOG_SOURCE = os.path.join(SRCROOT, "bench", "common",
                                "frame_alloc_log.cpp")
ALLOC_LOG_ENV = "CORO_FRAME_ALLOC_LOG"
ALLOC_LOG_HEADER = "corofo-frame-alloc-log 1"
ALLOC_LOG_ANCHOR = "corofo_frame_alloc_log_anchor"
ALLOC_WRAPPED = [
    "_Znwm", "_ZnwmRKSt9nothrow_t", "_ZnwmSt11align_val_t",
    "_ZnwmSt11align_val_tRKSt9nothrow_t",
    "_ZdlPv", "_ZdlPvm", "_ZdlPvSt11align_val_t", "_ZdlPvmSt11align_val_t",
    "malloc", "free", "aligned_alloc",
]
# A heap frame holds its .destroy function; a frame that its caller holds
# (not on the heap) holds .cleanup, listed for completeness.
FRAME_FN_SUFFIX = re.compile(r"\.(destroy|cleanup)$")

# The plugin's own passes in -ftime-report's "Pass execution timing report"
# (the metric builds use -ftime-report): their share of the compile is a
# direct, low-noise measure of what the plugin costs.
PLUGIN_PASS_PREFIX = "corofo::"


def to_int(v):
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def frames_from_remarks(found):
    """mangled coroutine name -> frame info of one build."""
    frames = {}

    def entry(fn):
        return frames.setdefault(fn, dict(sizes={}, align=None, name=None,
                                          lower_bounds={}, analysed=None,
                                          states=None, slots=None,
                                          reason=None, collapsed=0,
                                          layout_size=None,
                                          not_resized=False,
                                          split_size=None,
                                          split_alloc=None))

    for r in found:
        fn = remarks.ramp_name(r["function"])
        a = r["args"]
        for i, (pass_, name, arg) in enumerate(FRAME_SIZE_SOURCES):
            if r["pass_"] == pass_ and name in (None, r["name"]) and arg in a:
                entry(fn)["sizes"][i] = to_int(a[arg])
        for i, (pass_, name, arg) in enumerate(LOWER_BOUND_SOURCES):
            if r["pass_"] == pass_ and r["name"] == name and arg in a:
                entry(fn)["lower_bounds"][i] = to_int(a[arg])
        if r["pass_"] == COLLAPSE_PASS and r["name"] == COLLAPSE_NAME:
            entry(fn)["collapsed"] += 1
        if r["pass_"] == NOT_RESIZED_PASS and r["name"] == NOT_RESIZED_NAME:
            entry(fn)["not_resized"] = True
        if r["pass_"] == "coro-split" and "align" in a:
            entry(fn)["align"] = to_int(a["align"])
            entry(fn)["split_size"] = to_int(a.get("frame_size"))
        # What CoroSplit's allocation asked for (llvm.coro.size: the frame
        # struct's size, which can be below the alignment-rounded size of
        # the coro-split remark): the re-layout's old size, else the report's
        # size of a frame the overlap left alone.
        if r["pass_"] == "coro-frame-overlap" and \
                r["name"] == "FrameOverlapped" and "old_size" in a:
            entry(fn)["split_alloc"] = to_int(a["old_size"])
        if a.get("coroutine") and r["pass_"] in (
                ANALYSIS_PASS, *(p for p, _, _ in LOWER_BOUND_SOURCES)):
            entry(fn)["name"] = entry(fn)["name"] or a.get("coroutine")
        if r["pass_"] == ANALYSIS_PASS and r["name"] == ANALYSIS_NAME:
            e = entry(fn)
            e["name"] = a.get("coroutine")
            e["states"] = to_int(a.get("states"))
            e["slots"] = to_int(a.get("slots"))
            e["analysed"] = True
            e["analysis_frame_size"] = to_int(a.get("frame_size"))
            if e["split_alloc"] is None:
                e["split_alloc_report"] = e["analysis_frame_size"]
            if LAYOUT_SIZE_ARG in a:
                # Only a layout smaller than the allocation is a re-layout
                # the allocation did not follow. A larger one is the size
                # CoroSplit recorded, rounded up to a frame alignment above
                # the frame struct's, while llvm.coro.size is the struct's.
                e["layout_size"] = to_int(a[LAYOUT_SIZE_ARG])
                if e["layout_size"] is not None and \
                        e["analysis_frame_size"] is not None and \
                        e["layout_size"] < e["analysis_frame_size"]:
                    e["not_resized"] = True
        elif r["pass_"] == ANALYSIS_PASS and r["name"] == NOT_ANALYSED_NAME:
            e = entry(fn)
            e["name"] = a.get("coroutine")
            e["analysed"] = False
            e["reason"] = a.get("reason")
    for e in frames.values():
        if e["split_alloc"] is None:
            e["split_alloc"] = e.pop("split_alloc_report", None)
        e.pop("split_alloc_report", None)
        e["lower_bound"] = e["lower_bound_source"] = None
        for i, (pass_, name, _) in enumerate(LOWER_BOUND_SOURCES):
            if e["lower_bounds"].get(i) is not None:
                e["lower_bound"] = e["lower_bounds"][i]
                e["lower_bound_source"] = "%s/%s" % (pass_, name)
                break
        del e["lower_bounds"]
        e["size"], e["size_source"] = None, None
        for i, (pass_, name, _) in enumerate(FRAME_SIZE_SOURCES):
            if e["sizes"].get(i) is not None:
                e["size"] = e["sizes"][i]
                e["size_source"] = "%s/%s" % (pass_, name) if name else pass_
                break
    return {fn: e for fn, e in frames.items() if e["size"] is not None}


def correct_stock_sizes(per_cfg, baseline):
    """Stock clang reports CoroSplit's frame size rounded up to the frame
    alignment (coro-split's remark), but allocates the frame struct's size,
    up to 8 bytes less (align-16 frames). Where a plugin build split the
    same coroutine to the same size and alignment, it knows what CoroSplit
    allocated: use that as stock's size, so both sides count bytes
    allocated."""
    stock = per_cfg[baseline][1]
    for name, (_, frames) in per_cfg.items():
        if name == baseline:
            continue
        for fn, e in frames.items():
            s = stock.get(fn)
            if (s is None or s["size_source"] != "coro-split" or
                    e["split_alloc"] is None or
                    (e["split_size"], e["align"]) !=
                    (s["split_size"], s["align"]) or
                    e["split_alloc"] > s["size"]):
                continue
            s["size"] = e["split_alloc"]
            s["size_source"] = "coro-split, allocation via %s" % name

# --------------------------------------------------------------------------
# Symbols, the frame log, -ftime-report.

_nm_line = re.compile(r"^([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+([A-Za-z])\s+(\S+)$")


def symbol_sizes(nm, obj):
    """Function symbols of an object: base name -> {suffix: size}, where a
    symbol `f.resume` has base `f` and suffix `resume` (`f` itself: '')."""
    r = run_capture([nm, "-S", "--defined-only", obj])
    out = {}
    for line in r.stdout.splitlines():
        m = _nm_line.match(line.strip())
        if not m or m.group(3) not in "tTwW":
            continue
        name = m.group(4)
        base, _, suffix = name.partition(".")
        d = out.setdefault(base, {})
        d[suffix] = d.get(suffix, 0) + int(m.group(2), 16)
    return out


_nm_addr_line = re.compile(r"^([0-9a-fA-F]+)\s+([A-Za-z])\s+(\S+)$")


def symbol_addresses(nm, exe):
    """Defined symbols of a linked binary, by link-time address and by
    name: dict(by_addr={address: [names]}, by_name={name: address})."""
    r = run_capture([nm, "--defined-only", exe])
    by_addr, by_name = {}, {}
    for line in r.stdout.splitlines():
        m = _nm_addr_line.match(line.strip())
        if not m:
            continue
        addr, name = int(m.group(1), 16), m.group(3)
        by_addr.setdefault(addr, []).append(name)
        by_name.setdefault(name, addr)
    return dict(by_addr=by_addr, by_name=by_name)


def frame_owner(names):
    """The coroutine (mangled ramp name) whose frame holds a word equal to
    the address of `names`: the one symbol there that is a .destroy or
    .cleanup function; None when there is none, or several coroutines."""
    owners = {FRAME_FN_SUFFIX.sub("", n) for n in names
              if FRAME_FN_SUFFIX.search(n)}
    return owners.pop() if len(owners) == 1 else None


def read_alloc_log(path):
    """The frame logger's file (bench/common/frame_alloc_log.cpp): dict(
    anchor, total, live, other, small, dropped (each a (count, bytes) pair),
    blocks=[(word, size, count)]); None when it is missing or not a log."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    if not lines or lines[0].strip() != ALLOC_LOG_HEADER:
        return None
    out = dict(anchor=None, blocks=[])
    for k in ("total", "live", "other", "small", "dropped"):
        out[k] = (0, 0)
    for line in lines[1:]:
        w = line.split()
        try:
            if w[0] == "anchor":
                out["anchor"] = int(w[1], 16)
            elif w[0] == "block":
                out["blocks"].append((int(w[1], 16), int(w[2]), int(w[3])))
            elif w[0] in out:
                out[w[0]] = (int(w[1]), int(w[2]))
        except (IndexError, ValueError):
            return None  # cut short: the program died while writing it
    return out if out["anchor"] is not None else None


def text_size(size_tool, exe):
    r = run_capture([size_tool, "-A", exe])
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == ".text":
            return int(parts[1])
    return None


_NUM_PCT = re.compile(r"([0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)\s*\(\s*[0-9.]+%\)")


def parse_time_report(text):
    """Parse clang's -ftime-report output: dict(clang_total=user+sys seconds
    of the "Clang time report" (None if absent), passes={pass name: user+sys
    seconds} of the "Pass execution timing report", pass_total=that report's
    total, user+sys (its "Total Execution Time"; None if absent))."""
    out = dict(clang_total=None, passes={}, pass_total=None)
    lines = text.splitlines()
    section, columns = None, []
    for i, line in enumerate(lines):
        if line.startswith("===-") and i + 2 < len(lines) and \
                lines[i + 2].startswith("===-"):
            section, columns = lines[i + 1].strip(), []
            continue
        if "--- Name ---" in line:
            columns = re.findall(r"-+\s*([A-Za-z+ ]+?)\s*-+", line)
            continue
        nums = _NUM_PCT.findall(line)
        if not section or not columns or not nums:
            continue
        name = line[line.rfind("%)") + 2:].strip()
        values = dict(zip(columns, (float(n) for n in nums)))
        secs = values.get("User+System", values.get("Wall Time"))
        if secs is None:
            continue
        if section == "Pass execution timing report":
            if name == "Total":
                out["pass_total"] = secs
            else:
                out["passes"][name] = out["passes"].get(name, 0.0) + secs
        elif section == "Clang time report" and name == "Total":
            out["clang_total"] = secs
    return out


def plugin_passes_of(time_report):
    """{pass name: user+sys seconds} of the plugin's own passes in a parsed
    -ftime-report."""
    return {n: t for n, t in time_report["passes"].items()
            if n.startswith(PLUGIN_PASS_PREFIX)}


def short_pass_name(name):
    """corofo::CoroStateCollapsePass -> CoroStateCollapse (table headers)."""
    name = name[len(PLUGIN_PASS_PREFIX):] \
        if name.startswith(PLUGIN_PASS_PREFIX) else name
    return name[:-len("Pass")] if name.endswith("Pass") else name
