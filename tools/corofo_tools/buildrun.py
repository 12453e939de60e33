"""Build a program with and without the plugin, run it, judge and compare.

What the plugin promises is checked the same way everywhere: compile a
program with stock clang and with the plugin (-fpass-plugin), run both, and
compare what they print. The run tests (test/tools/run-compare.py), the
examples (tools/run-examples), the differential test (tools/coro-difftest),
the completed-resume checks (test/tools/completed-resume-run.py) and the
benchmark harness (tools/coro-bench) share these pieces:

  capture()           a tool's output, as text
  compile()           one compiler call, its output kept (and saved)
  run()               one program run with a time-out, stdout and stderr
                      kept (and saved as <exe>.stdout/.stderr/.rc)
  Run.problem()       why a run is bad on its own: timed out, crashed (with
                      the signal), a sanitizer report, a non-zero exit status
  stock_and_plugin()  the two builds of one source, run when both compiled
"""

import os
import re
import signal
import subprocess
import time
from typing import Dict, List, Optional, Sequence

# -fsanitize builds: both sides get the same flags; a report on stderr is a
# failure of that run.
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                  "-g"]
SANITIZER_REPORT = re.compile(
    r"ERROR: (Address|Leak|Memory|Thread|Undefined)Sanitizer|runtime error:|"
    r"WARNING: (Address|Leak)Sanitizer")


def capture(cmd: Sequence[str], timeout: Optional[float] = None,
            **kw) -> "subprocess.CompletedProcess[str]":
    """Run a tool without input; its stdout and stderr as text."""
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=timeout, **kw)


def plugin_flag(plugin: str) -> str:
    """The clang flag that loads the plugin."""
    return "-fpass-plugin=" + plugin


def sanitizer_env(env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """`env` (default: ours) with leak checking on and UBSan stopping at its
    first report; the caller's own ASAN_OPTIONS/UBSAN_OPTIONS come last and
    win."""
    env = dict(os.environ if env is None else env)
    for var, ours in (("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0"),
                      ("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")):
        theirs = env.get(var, "")
        env[var] = ours + (":" + theirs if theirs else "")
    return env


def signal_name(sig: int) -> str:
    """SIGSEGV for 11; `signal N` for a number Python has no name for."""
    try:
        return signal.Signals(sig).name
    except ValueError:
        return "signal %d" % sig


class Compile:
    """One compiler call: its command, exit status (None after a time-out),
    output (stdout and stderr together) and seconds."""

    def __init__(self, cmd: Sequence[str]):
        self.cmd = list(cmd)
        self.rc: Optional[int] = None
        self.log = ""
        self.seconds = 0.0
        self.timed_out = False

    @property
    def ok(self) -> bool:
        return self.rc == 0


def compile(cmd: Sequence[str], timeout: Optional[float] = None,
            log_path: Optional[str] = None) -> Compile:
    """Run the compiler command `cmd`; with log_path, its output is saved
    there."""
    c = Compile(cmd)
    t0 = time.time()
    try:
        p = subprocess.run(c.cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        c.rc = p.returncode
        c.log = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        c.timed_out = True
        c.log = (e.stdout or b"").decode("utf-8", "replace") + \
            "\n[compile timed out]\n"
    c.seconds = time.time() - t0
    if log_path:
        with open(log_path, "w") as f:
            f.write(c.log)
    return c


class Run:
    """One run of a program: exit status (negative: killed by that signal;
    None after a time-out), stdout and stderr (bytes), seconds."""

    def __init__(self):
        self.rc: Optional[int] = None
        self.stdout = b""
        self.stderr = b""
        self.timeout = False
        self.run_time = 0.0

    def sanitizer_report(self) -> bool:
        return bool(SANITIZER_REPORT.search(
            self.stderr.decode("utf-8", "replace")))

    def problem(self, sanitized: bool) -> Optional[str]:
        """Why the run is bad on its own (whatever it printed), or None:
        `timed out`, `crashed (SIGSEGV)`, `sanitizer report` (only when
        sanitized), `exit status N`."""
        if self.timeout:
            return "timed out"
        if self.rc is not None and self.rc < 0:
            return "crashed (%s)" % signal_name(-self.rc)
        if sanitized and self.sanitizer_report():
            return "sanitizer report"
        if self.rc != 0:
            return "exit status %s" % self.rc
        return None

    def shell_status(self) -> int:
        """The exit status as a shell reports it: 128+N when killed by
        signal N, 124 after a time-out (timeout(1)'s)."""
        if self.timeout or self.rc is None:
            return 124
        return 128 - self.rc if self.rc < 0 else self.rc


def run(exe: str, timeout: Optional[float] = None,
        env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None,
        stdin: Optional[str] = None, save: Optional[str] = None,
        into: Optional[Run] = None) -> Run:
    """Run `exe` (stdin from the file `stdin`, else nothing); after
    `timeout` seconds it is killed. With `save`, stdout, stderr and the exit
    status go to <save>.stdout, .stderr and .rc (`timeout` after a
    time-out). `into` is filled in instead of a new Run."""
    r = into if into is not None else Run()
    t0 = time.time()
    with open(stdin or os.devnull, "rb") as inp:
        try:
            p = subprocess.run([exe], stdin=inp, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout,
                               env=env, cwd=cwd)
            r.rc, r.stdout, r.stderr = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            r.timeout = True
            r.stdout, r.stderr = e.stdout or b"", e.stderr or b""
    r.run_time = time.time() - t0
    if save:
        for ext, data in (("stdout", r.stdout), ("stderr", r.stderr)):
            with open(save + "." + ext, "wb") as f:
                f.write(data)
        with open(save + ".rc", "w") as f:
            f.write("timeout\n" if r.timeout else "%s\n" % r.rc)
    return r


class Side:
    """One of the two builds of stock_and_plugin(): `stock` or `plugin`."""

    def __init__(self, kind: str, exe: str, comp: Compile):
        self.kind = kind
        self.exe = exe
        self.compile = comp
        self.run: Optional[Run] = None


def stock_and_plugin(clang: str, args: Sequence[str],
                     plugin_args: Sequence[str], exes: Sequence[str],
                     records: bool = False, timeout: Optional[float] = None,
                     stdin: Optional[str] = None,
                     env: Optional[Dict[str, str]] = None) -> List[Side]:
    """Compile `clang args` into exes[0] (stock) and `clang args
    plugin_args` into exes[1] (plugin); with `records`, each build also
    writes its optimization records to <exe>.opt.yaml. Each build's output
    goes to <exe>.compile.log. When both compiled, both run (outputs saved
    as <exe>.stdout/.stderr/.rc). Returns the two Sides, stock first; a
    Side whose program did not run has run None."""
    sides = []
    for kind, exe in (("stock", exes[0]), ("plugin", exes[1])):
        for ext in ("", ".stdout", ".stderr", ".rc"):
            if os.path.exists(exe + ext):
                os.remove(exe + ext)
        cmd = [clang] + list(args)
        if kind == "plugin":
            cmd += plugin_args
        if records:
            cmd += ["-fsave-optimization-record",
                    "-foptimization-record-file=" + exe + ".opt.yaml"]
        cmd += ["-o", exe]
        sides.append(Side(kind, exe,
                          compile(cmd, log_path=exe + ".compile.log")))
    if all(s.compile.ok for s in sides):
        for s in sides:
            s.run = run(s.exe, timeout=timeout, stdin=stdin, env=env,
                        save=s.exe)
    return sides


def same_output(a: Run, b: Run) -> bool:
    """Whether two runs printed the same bytes on stdout."""
    return a.stdout == b.stdout
