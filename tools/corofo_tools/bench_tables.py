"""coro-bench's tables: the figures it measured, as text and as Markdown.

The benchmark harness (tools/coro-bench) measures and collects its results
into one dict (the results file's); Tables, a part of its Harness, turns them
into the tables it prints and writes into docs/benchmarks.md. Table is one
table in both layouts; median, ratio, geomean and the fmt_* functions are
the figures' arithmetic and spelling, shared with the harness.
"""

import math
import os
import statistics
from typing import Any, Dict, List

from .bench_records import (ALLOC_LOG_SOURCE, LAYOUT_SIZE_ARG,
                            NOT_RESIZED_NAME, NOT_RESIZED_PASS,
                            PLUGIN_PASS_PREFIX, short_pass_name)
from .toolchain import SRCROOT

# The acceptance goals of the compile-time tables (issue 22): all plugin
# passes together at most this share of LLVM's pass execution time at -O2, on
# every corpus file and on the largest generated TU; the plugin's time per
# coroutine of the generated TUs at most this factor above the smallest's.
GOAL_PLUGIN_SHARE = 0.02
GOAL_PER_COROUTINE_GROWTH = 1.5
# The scaling table compiles generated TUs (generate_coroutine_tu) at this
# level, with every configuration that uses the plugin.
SCALING_LEVEL = "O2"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def fmt_ratio(r):
    return "-" if r is None else "%.3f" % r


def fmt_int(v):
    return "-" if v is None else "{:,}".format(int(v)).replace(",", " ")


def fmt_percent(r):
    return "-" if r is None else "%.2f%%" % (100.0 * r)


def fmt_seconds(s):
    return "-" if s is None else "%.3f" % s


def fmt_ns(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return "%.3g %s" % (ns / scale, unit)
    return "%.3g ns" % ns


def fmt_bytes_per_op(b):
    if b is None:
        return "-"
    if b >= 1000 or abs(b - round(b)) < 0.05:
        return fmt_int(round(b))
    return "%.1f" % b


def shorten(text, width):
    return text if len(text) <= width else text[: width - 3] + "..."

def unique(items):
    seen, out = set(), []
    for i in items:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out

# --------------------------------------------------------------------------
# Tables: one layout for the terminal (aligned text) and for Markdown.

class Table:
    def __init__(self, title, headers, note=None):
        self.title = title
        self.headers = headers
        self.rows = []      # list of lists of strings, or None for a rule
        self.notes = [note] if note else []

    def add(self, row):
        self.rows.append([str(c) for c in row])

    def rule(self):
        self.rows.append(None)

    def text(self):
        out = ["== %s ==" % self.title]
        if not self.rows:
            out.extend(self.notes or ["(nothing to show)"])
            return "\n".join(out) + "\n"
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            if row:
                widths = [max(w, len(c)) for w, c in zip(widths, row)]

        def line(cells):
            parts = []
            for i, (c, w) in enumerate(zip(cells, widths)):
                parts.append(c.ljust(w) if i < self.left_columns() else c.rjust(w))
            return "  ".join(parts).rstrip()

        out.append(line(self.headers))
        out.append("  ".join("-" * w for w in widths))
        for row in self.rows:
            out.append("  ".join("-" * w for w in widths) if row is None
                       else line(row))
        out.extend(self.notes)
        return "\n".join(out) + "\n"

    def markdown(self, level=3):
        out = ["#" * level + " " + self.title, ""]
        if not self.rows:
            out.extend(self.notes or ["(nothing to show)"])
            return "\n".join(out) + "\n"
        out.append("| " + " | ".join(self.headers) + " |")
        out.append("|" + "|".join(
            " --- " if i < self.left_columns() else " ---: "
            for i in range(len(self.headers))) + "|")
        for row in self.rows:
            if row is not None:
                out.append("| " + " | ".join(c.replace("|", "\\|") for c in row)
                           + " |")
        if self.notes:
            out.append("")
            out.extend(self.notes)
        return "\n".join(out) + "\n"

    def left_columns(self):
        # Leading text columns are left-aligned, numbers right-aligned.
        return getattr(self, "_left", 1)

    def set_left(self, n):
        self._left = n
        return self


# --------------------------------------------------------------------------
# The harness's tables.

class Tables:
    """The tables of a coro-bench run, from the Harness's results, levels,
    configurations and programs (a part of Harness)."""

    # What the tables read of the Harness.
    args: Any                   # its command line (argparse)
    profile: Dict[str, Any]     # --quick or full: runs, repetitions, sizes
    results: Dict[str, Any]     # what was measured (the results file's)
    levels: List[str]           # O0, O2, ...
    configs: List[Any]          # the build configurations, baseline first
    baseline: Any               # configs[0], stock
    others: List[Any]           # configs[1:]
    builds: List[Any]           # every program x level x configuration
    by_key: Dict[Any, Any]      # (program, level, config name) -> build
    skipped: List[Dict[str, Any]]   # parts left out (missing libraries)

    def tables(self):
        res = self.results
        base = self.baseline.name
        tabs = []
        levels_text = ", ".join(self.levels)

        # Frame bytes per program and in total.
        h = ["level", "program", "coros", base]
        for c in self.others:
            h += [c.name, "%s/%s" % (c.name, base)]
        h += ["lower bound"] + ["%s/LB" % c.name for c in self.others]
        t = Table("Frame bytes (%s)" % levels_text, h).set_left(2)
        for lvl in self.levels:
            rows = [r for r in res["frames"] if r["level"] == lvl]
            for label in unique(r["program"] for r in rows):
                mine = [r for r in rows if r["program"] == label]
                t.add(self.frame_cells(lvl, label, mine))
            if rows:
                t.add(self.frame_cells(lvl, "TOTAL", rows))
                t.rule()
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        t.notes.append(
            "Frame bytes: the frame size of each build, the bytes the program "
            "allocates (from the plugin's report, else its overlap pass, else "
            "the coro-split remark); lower bound (LB): the "
            "analysis's bound (coroutines it did not bound count with their "
            "size). Coroutines: %s." % self.coroutine_count_text())
        t.notes.append(self.not_resized_text())
        tabs.append(("frames", t))

        # The coroutines with the most to gain.
        top = self.args.top
        rows = sorted(res["frames"], key=lambda r: (
            -((r["size"].get(self.others[0].name) or 0) -
              (r["lower_bound"] if r["lower_bound"] is not None else
               (r["size"].get(self.others[0].name) or 0)))
            if self.others else 0, -(r["size"].get(base) or 0)))
        shown = rows if top == 0 else rows[:top]
        h = ["level", "program", "coroutine", base]
        for c in self.others:
            h += [c.name, "%s/%s" % (c.name, base)]
        h += ["lower bound"] + ["%s/LB" % c.name for c in self.others]
        t = Table("Frame bytes per coroutine (%s of %d, largest %s - lower "
                  "bound first)" % ("all" if len(shown) == len(rows) else
                                    "top %d" % len(shown), len(rows),
                                    self.others[0].name if self.others
                                    else base), h).set_left(3)
        for r in shown:
            cells = [r["level"], r["program"], shorten(r["name"] or
                                                       r["coroutine"], 60),
                     fmt_int(r["size"].get(base))]
            for c in self.others:
                cells += [fmt_int(r["size"].get(c.name)),
                          fmt_ratio(ratio(r["size"].get(c.name),
                                          r["size"].get(base)))]
            lb = r["lower_bound"]
            cells.append(fmt_int(lb) if lb is not None else "n/a")
            for c in self.others:
                cells.append(fmt_ratio(ratio(r["size"].get(c.name), lb)))
            t.add(cells)
        t.notes.append("All coroutines are in the JSON results (\"frames\").")
        tabs.append(("coroutines", t))
        tabs.append(("frame_alloc", self.frame_alloc_table(res, levels_text)))

        # Code size.
        h = ["level", "program", base + " coro"]
        for c in self.others:
            h += [c.name + " coro", "ratio"]
        h += [base + " .text"]
        for c in self.others:
            h += [c.name + " .text", "ratio"]
        t = Table("Code size in bytes (%s)" % levels_text, h).set_left(2)
        for lvl in self.levels:
            rows = [r for r in res["code_size"] if r["level"] == lvl]
            for r in rows:
                t.add(self.code_cells(lvl, r["program"], r["coroutine_text"],
                                      r["binary_text"]))
            if rows:
                tot = res["code_size_totals"][lvl]
                t.add(self.code_cells(lvl, "TOTAL", tot["coroutine_text"],
                                      tot["binary_text"]))
                t.rule()
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        t.notes.append("coro: .text bytes of the coroutine functions (ramp, "
                       "resume/destroy/cleanup clones, await_suspend "
                       "wrappers) in the object file; .text: the linked "
                       "binary's .text section.")
        t.notes.append(self.identical_text(None))
        tabs.append(("code_size", t))
        tabs.append(("states", self.states_table(res, levels_text)))

        # Run time.
        h = ["level", "benchmark", base]
        for c in self.others:
            h += [c.name, "%s/%s" % (c.name, base)]
        h += ["heap B/op " + base]
        for c in self.others:
            h += ["heap B/op " + c.name, "ratio"]
        t = Table("Run time (%s), medians" % levels_text, h).set_left(2)
        rows_all = res.get("runtime", [])
        for lvl in self.levels:
            rows = [r for r in rows_all if r["level"] == lvl]
            for r in rows:
                name = r["program"].split("/", 1)[-1] + ": " + r["benchmark"]
                cells = [lvl, name, fmt_ns(r["cpu_time_ns"].get(base))]
                for c in self.others:
                    key = "%s/%s" % (c.name, base)
                    cells += [fmt_ns(r["cpu_time_ns"].get(c.name)),
                              fmt_ratio(r["ratio"][key]["cpu_time"])]
                cells.append(fmt_bytes_per_op(
                    r["heap_bytes_per_op"].get(base)))
                for c in self.others:
                    key = "%s/%s" % (c.name, base)
                    cells += [fmt_bytes_per_op(
                        r["heap_bytes_per_op"].get(c.name)),
                              fmt_ratio(r["ratio"][key]["heap_bytes_per_op"])]
                t.add(cells)
            if rows:
                g = res["runtime_totals"][lvl]["geomean_ratio"]
                cells = [lvl, "GEOMEAN", ""]
                for c in self.others:
                    key = "%s/%s" % (c.name, base)
                    cells += ["", fmt_ratio(g[key]["cpu_time"])]
                cells.append("")
                for c in self.others:
                    key = "%s/%s" % (c.name, base)
                    cells += ["", fmt_ratio(g[key]["heap_bytes_per_op"])]
                t.add(cells)
                t.rule()
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        if not t.rows:
            why = [s["reason"] for s in self.skipped if s["part"] == "benchmark"]
            t.notes.append("skipped: " + (why[0] if why else
                                          "no run-time benchmark selected"))
        else:
            prof = self.profile
            t.notes.append(
                "Time: CPU time per operation (the benchmarks are "
                "single-threaded; real time is in the JSON), median over %d "
                "round(s) (each benchmark run for every configuration in "
                "turn) of the median of %d "
                "repetitions (min time %gs each). heap B/op: bytes requested "
                "from operator new per operation." % (
                    prof["bench_rounds"], prof["bench_repetitions"],
                    prof["bench_min_time"]))
            t.notes.append(self.identical_text("runtime"))
        tabs.append(("runtime", t))

        # Compile time.
        h = ["level", "program", base + " s"]
        for c in self.others:
            h += [c.name + " s", "%s/%s" % (c.name, base)]
        plugin_cfgs = [c for c in self.configs if c.uses_plugin]
        for c in plugin_cfgs:
            h += ["%s passes" % c.name, "%s passes/LLVM" % c.name,
                  "%s passes/LLVM plain" % c.name]
        t = Table("Compile time (%s), CPU seconds, medians" % levels_text,
                  h).set_left(2)
        for lvl in self.levels:
            rows = [r for r in res.get("compile_time", []) if r["level"] == lvl]
            for r in rows:
                cells = [lvl, r["program"],
                         fmt_seconds(r["median_cpu_seconds"][base])]
                for c in self.others:
                    cells += [fmt_seconds(r["median_cpu_seconds"][c.name]),
                              fmt_ratio(r["ratio"]["%s/%s" % (c.name, base)])]
                for c in plugin_cfgs:
                    cells += [fmt_percent(r["plugin_pass_share"].get(c.name)),
                              fmt_percent(r["plugin_share_of_llvm_passes"]
                                          .get(c.name)),
                              fmt_percent(r.get(
                                  "plain_plugin_share_of_llvm_passes", {})
                                  .get(c.name))]
                t.add(cells)
            if rows:
                tot = res["compile_time_totals"][lvl]
                cells = [lvl, "TOTAL",
                         fmt_seconds(tot["median_cpu_seconds"][base])]
                for c in self.others:
                    key = "%s/%s" % (c.name, base)
                    cells += [fmt_seconds(tot["median_cpu_seconds"][c.name]),
                              fmt_ratio(tot["ratio"][key])]
                for c in plugin_cfgs:
                    cells += [fmt_percent(tot["plugin_pass_share"].get(c.name)),
                              fmt_percent(tot["plugin_share_of_llvm_passes"]
                                          .get(c.name)),
                              fmt_percent(tot.get(
                                  "plain_plugin_share_of_llvm_passes", {})
                                  .get(c.name))]
                t.add(cells)
                cells = [lvl, "max of one file", ""]
                cells += [""] * (2 * len(self.others))
                for c in plugin_cfgs:
                    cells += ["", fmt_percent(
                        tot["max_plugin_share_of_llvm_passes"].get(c.name)),
                        fmt_percent(tot.get(
                            "max_plain_plugin_share_of_llvm_passes", {})
                            .get(c.name))]
                t.add(cells)
                cells = [lvl, "GEOMEAN of ratios", ""]
                for c in self.others:
                    cells += ["", fmt_ratio(
                        tot["geomean_ratio"]["%s/%s" % (c.name, base)])]
                cells += [""] * (3 * len(plugin_cfgs))
                t.add(cells)
                t.rule()
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        if not t.rows:
            t.notes.append("skipped: no compile-time runs")
        else:
            t.notes.append(
                "passes: the time of the plugin's own passes (%s*) in "
                "-ftime-report's pass timing, as a share of clang's total "
                "(one sample: the metric build; analyses the passes request "
                "are not included); passes/LLVM: the same time as a share "
                "of all of LLVM's pass execution time (that report's total; "
                "goal at -O2: at most %s); passes/LLVM plain: the same share "
                "in builds without optimization records (which cost the "
                "remarks' text), median of one build per timed run. Per "
                "pass: the next table."
                % (PLUGIN_PASS_PREFIX, fmt_percent(GOAL_PLUGIN_SHARE)))
            runs = self.profile["compile_runs"]
            if runs > 0:
                t.notes.append(
                    "CPU time (user+sys) of `clang++ -c` without optimization "
                    "records, median of %d runs per file and configuration "
                    "(configurations side by side or interleaved)." % runs)
            else:
                t.notes.append(
                    "CPU time (user+sys) of one `clang++ -c` per file and "
                    "configuration, taken from the metric builds (--quick: "
                    "a single noisy sample, with optimization records).")
        tabs.append(("compile_time", t))
        for lvl in self.levels:
            for c in plugin_cfgs:
                tabs.append(("plugin_passes_%s_%s" % (lvl, c.name),
                             self.plugin_pass_table(lvl, c, plugin_cfgs)))
        for c in plugin_cfgs:
            tabs.append(("compile_scaling_%s" % c.name,
                         self.scaling_table(c, plugin_cfgs)))
        return tabs

    def plugin_pass_table(self, lvl, c, plugin_cfgs):
        """Per corpus file, each plugin pass's share of LLVM's pass
        execution time at one level, in one plugin configuration."""
        rows = [r for r in self.results.get("compile_time", [])
                if r["level"] == lvl and c.name in r["llvm_pass_total"]]
        tot = self.results["compile_time_totals"].get(lvl, {})
        # Columns: the passes that ran, most expensive first.
        passes = sorted(tot.get("plugin_passes", {}).get(c.name, {}).items(),
                        key=lambda kv: (-kv[1], kv[0]))
        names = [n for n, _ in passes]
        title = "Plugin passes' share of LLVM pass time (%s%s)" % (
            lvl, ", " + c.name if len(plugin_cfgs) > 1 else "")
        t = Table(title, ["program", "LLVM passes s"] +
                  [short_pass_name(n) for n in names] + ["all plugin"])
        for r in rows:
            shares = r["pass_share_of_llvm_passes"][c.name]
            t.add([r["program"], fmt_seconds(r["llvm_pass_total"][c.name])] +
                  [fmt_percent(shares.get(n)) for n in names] +
                  [fmt_percent(r["plugin_share_of_llvm_passes"][c.name])])
        if not rows:
            t.notes.append("skipped: no -ftime-report of a %s build at %s"
                           % (c.name, lvl))
            return t
        t.rule()
        shares = tot["pass_share_of_llvm_passes"][c.name]
        t.add(["TOTAL", fmt_seconds(tot["llvm_pass_total"][c.name])] +
              [fmt_percent(shares.get(n)) for n in names] +
              [fmt_percent(tot["plugin_share_of_llvm_passes"][c.name])])
        peak = tot["max_pass_share_of_llvm_passes"][c.name]
        t.add(["max", ""] + [fmt_percent(peak.get(n)) for n in names] +
              [fmt_percent(tot["max_plugin_share_of_llvm_passes"][c.name])])
        t.notes.append(
            "Each pass's user+sys time in -ftime-report's \"Pass execution "
            "timing report\" (one sample: the metric build, which also "
            "writes optimization records) as a share of that report's total, "
            "the LLVM passes column (all IR and codegen passes; clang's "
            "front end is not in it). Pass names without '%s' and 'Pass'; "
            "\"-\": the pass did not run on that file. TOTAL: shares of the "
            "summed times; max: the largest share of any one file. Goal at "
            "-O2: all plugin at most %s on every file."
            % (PLUGIN_PASS_PREFIX, fmt_percent(GOAL_PLUGIN_SHARE)))
        return t

    def scaling_table(self, c, plugin_cfgs):
        """Plugin pass time of the generated TUs against their number of
        coroutines, in one plugin configuration."""
        sc = self.results.get("compile_scaling") or {}
        rows = [r for r in sc.get("rows", []) if r["config"] == c.name]
        base = rows[0]["coroutines"] if rows else None
        title = "Compile-time scaling (%s, generated TUs%s)" % (
            sc.get("level", SCALING_LEVEL),
            ", " + c.name if len(plugin_cfgs) > 1 else "")
        t = Table(title, ["coroutines", "LLVM passes s", "plugin passes s",
                          "plugin share", "share per run", "plugin ms/coro",
                          "vs %s coros" % (base or "first")])
        for r in rows:
            lo_hi = r.get("share_range")
            t.add([r["coroutines"], fmt_seconds(r["llvm_pass_total"]),
                   fmt_seconds(r["plugin_pass_seconds"]),
                   fmt_percent(r["plugin_share_of_llvm_passes"]),
                   "%s-%s" % (fmt_percent(lo_hi[0]), fmt_percent(lo_hi[1]))
                   if lo_hi else "-",
                   "%.3f" % r["plugin_ms_per_coroutine"],
                   fmt_ratio(r["per_coroutine_vs_first"])])
        if not rows:
            t.notes.append("skipped: " + sc.get("skipped",
                                                "no scaling measurement"))
            return t
        t.notes.append(
            "Generated translation units (<out-dir>/scaling/coros_N.cpp) of N "
            "coroutines on corolib's task and executor, compiled at -%s "
            "with the plugin and -ftime-report, one compile at a time; "
            "medians of %d compile(s) each. LLVM passes: the "
            "pass timing report's total; plugin passes: the %s* passes in it; "
            "plugin share: median plugin time / median LLVM time; share per "
            "run: the lowest and highest share of one compile; "
            "ms/coro: plugin time / N; vs %d coros: ms/coro relative to the "
            "smallest TU. Goals: plugin share at most %s at 1000 coroutines; "
            "ms/coro within %.1fx of the %d-coroutine TU's."
            % (sc["level"], sc["runs"], PLUGIN_PASS_PREFIX, base,
               fmt_percent(GOAL_PLUGIN_SHARE), GOAL_PER_COROUTINE_GROWTH,
               base))
        return t

    def not_resized_text(self):
        """How many frames kept an allocation bigger than their layout."""
        ft = self.results["frame_totals"]

        def counts(key):
            return "; ".join("%s %s" % (c.name, ", ".join(
                "%d at %s" % (ft[lvl][key][c.name], lvl)
                for lvl in self.levels)) for c in self.others) or "-"

        text = ("Frames whose allocation did not follow a re-layout (%s/%s, "
                "or a CoroFrame remark with %s below frame_size; goal 0): %s."
                % (NOT_RESIZED_PASS, NOT_RESIZED_NAME, LAYOUT_SIZE_ARG,
                   counts("allocation_not_resized")))
        if any(ft[lvl]["layout_above_allocation"][c.name]
               for lvl in self.levels for c in self.others):
            text += (" Not counted: frames whose %s is above the allocation "
                     "(a frame alignment above the frame struct's): %s."
                     % (LAYOUT_SIZE_ARG, counts("layout_above_allocation")))
        return text

    def frame_alloc_table(self, res, levels_text):
        """Frame bytes the corpus programs allocated at run time."""
        base = self.baseline.name
        h = ["level", "program", "blocks " + base, base]
        for c in self.others:
            h += ["blocks " + c.name, c.name, "%s/%s" % (c.name, base)]
        h += ["checked", "flagged"]
        t = Table("Frame bytes at run time (%s)" % levels_text, h).set_left(2)

        def cells(lvl, label, r):
            out = [lvl, label, fmt_int(r["frame_blocks"].get(base)),
                   fmt_int(r["frame_bytes"].get(base))]
            for c in self.others:
                out += [fmt_int(r["frame_blocks"].get(c.name)),
                        fmt_int(r["frame_bytes"].get(c.name)),
                        fmt_ratio(r["ratio"].get("%s/%s" % (c.name, base)))]
            return out + [str(r["checked"]), str(r["flagged"])]

        for lvl in self.levels:
            rows = [r for r in res.get("frame_alloc", []) if r["level"] == lvl]
            for r in rows:
                t.add(cells(lvl, r["program"], r))
            if rows:
                t.add(cells(lvl, "TOTAL", res["frame_alloc_totals"][lvl]))
                t.rule()
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        if not t.rows:
            t.notes.append("skipped: no corpus program ran with the frame "
                           "logger")
            return t
        t.notes.append(
            "Frame bytes at run time: the heap blocks freed during each "
            "corpus run whose second word is a coroutine's destroy function "
            "(%s, linked with -Wl,--wrap); blocks: how many. Frames elided "
            "into their caller are not allocated; blocks that a custom "
            "allocator offsets are not attributed, blocks it recycles count "
            "once (asio, reallib). TOTAL: the programs "
            "measured in every configuration. checked: coroutines seen at "
            "run time that have a reported size; flagged: those whose blocks "
            "disagree with the reported sizes (errors of kind \"alloc\")."
            % os.path.relpath(ALLOC_LOG_SOURCE, SRCROOT))
        return t

    def identical_text(self, kind):
        """Which binaries are byte-identical to the baseline's: then every
        difference measured between them is noise."""
        parts = []
        for c in self.others:
            pairs = [(b, self.by_key[(b.prog.label, b.level,
                                      self.baseline.name)])
                     for b in self.builds if b.config is c and b.ok and
                     (kind is None or b.prog.kind == kind)]
            pairs = [(b, base) for b, base in pairs if base.ok]
            same = sum(1 for b, base in pairs if b.sha256 == base.sha256)
            parts.append("%d of %d %s binaries" % (same, len(pairs), c.name))
        return ("Byte-identical to %s's: %s." % (self.baseline.name,
                                                  ", ".join(parts))
                if parts else "")

    def coroutine_count_text(self):
        parts = []
        for lvl in self.levels:
            ft = self.results["frame_totals"][lvl]
            s = "%d at %s" % (ft["coroutines"], lvl)
            if ft["not_analysed"]:
                s += " (%d without a lower bound)" % ft["not_analysed"]
            parts.append(s)
        return ", ".join(parts)

    def frame_cells(self, lvl, label, rows):
        base = self.baseline.name
        size = {c.name: sum(r["size"].get(c.name) or 0 for r in rows)
                for c in self.configs}
        cells = [lvl, label, str(len(rows)), fmt_int(size[base])]
        for c in self.others:
            cells += [fmt_int(size[c.name]),
                      fmt_ratio(ratio(size[c.name], size[base]))]
        lbs = {c.name: sum(r["lower_bound"] if r["lower_bound"] is not None
                           else (r["size"].get(c.name) or 0) for r in rows)
               for c in self.others}
        first = self.others[0].name if self.others else None
        cells.append(fmt_int(lbs[first]) if first else "-")
        for c in self.others:
            cells.append(fmt_ratio(ratio(size[c.name], lbs[c.name])))
        return cells

    def states_table(self, res, levels_text):
        """Suspend states and clone code per program, where they differ.

        Stock clang reports no state count: a configuration's count without
        the plugin's collapse is its own count plus the suspend points the
        plugin merged (one coro-state-collapse remark each), which is what
        stock's CoroSplit makes (nothing else of the plugin before CoroSplit
        changes the suspend points; checked in
        test/CoroStateCollapse/CoroStateCollapse_clang.test)."""
        base = self.baseline.name
        ref = next((c for c in self.others if c.uses_plugin), None)
        h = ["level", "program", "states " + base]
        for c in self.others:
            h += ["states " + c.name]
        h += ["clones " + base]
        for c in self.others:
            h += ["clones " + c.name, "ratio"]
        t = Table("Suspend states and clone code (%s)" % levels_text,
                  h).set_left(2)
        clone_parts = ("resume", "destroy", "cleanup", "noalloc")

        def clones(row, cfg):
            parts = row["coroutine_text_parts"].get(cfg)
            return None if parts is None else sum(
                parts.get(k, 0) for k in clone_parts)

        def cells(lvl, label, states, clone):
            out = [lvl, label, fmt_int(states.get(base))]
            out += [fmt_int(states.get(c.name)) for c in self.others]
            out.append(fmt_int(clone.get(base)))
            for c in self.others:
                out += [fmt_int(clone.get(c.name)),
                        fmt_ratio(ratio(clone.get(c.name), clone.get(base)))]
            return out

        summary = {}
        for lvl in self.levels:
            tot_states, tot_clone = {}, {}
            for r in [r for r in res["code_size"] if r["level"] == lvl]:
                frames = [f for f in res["frames"] if f["level"] == lvl and
                          f["program"] == r["program"]]
                states = {}
                for c in self.others:
                    vals = [f["states_by"].get(c.name) for f in frames]
                    if vals and all(v is not None for v in vals):
                        states[c.name] = sum(vals)
                if ref is not None and ref.name in states:
                    states[base] = states[ref.name] + sum(
                        f["collapsed_by"].get(ref.name, 0) for f in frames)
                clone = {c.name: clones(r, c.name) for c in self.configs}
                for k, v in states.items():
                    tot_states[k] = tot_states.get(k, 0) + v
                for k, v in clone.items():
                    if v is not None:
                        tot_clone[k] = tot_clone.get(k, 0) + v
                if any(states.get(c.name) != states.get(base)
                       for c in self.others):
                    t.add(cells(lvl, r["program"], states, clone))
            t.add(cells(lvl, "TOTAL (corpus)", tot_states, tot_clone))
            t.rule()
            summary[lvl] = dict(states=tot_states, clones=tot_clone)
        if t.rows and t.rows[-1] is None:
            t.rows.pop()
        res["states_totals"] = summary
        t.notes.append("Programs listed where a configuration has fewer "
                       "suspend states than stock; TOTAL is the whole corpus. "
                       "states: suspend states of all coroutines (stock's: "
                       "the plugin's count plus the suspend points it "
                       "collapsed); clones: .text bytes of the resume, "
                       "destroy, cleanup and noalloc clones.")
        return t

    def code_cells(self, lvl, label, coro, text):
        base = self.baseline.name
        cells = [lvl, label, fmt_int(coro.get(base))]
        for c in self.others:
            cells += [fmt_int(coro.get(c.name)),
                      fmt_ratio(ratio(coro.get(c.name), coro.get(base)))]
        cells.append(fmt_int(text.get(base)))
        for c in self.others:
            cells += [fmt_int(text.get(c.name)),
                      fmt_ratio(ratio(text.get(c.name), text.get(base)))]
        return cells
