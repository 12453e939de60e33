#!/usr/bin/env python3
"""Lint and type-check every Python file of CoroFrameOpt's tools.

Usage:
  python-lint.py SRCROOT --list                 the files, one a line
  python-lint.py SRCROOT --pyflakes PYFLAKES    pyflakes over all of them
  python-lint.py SRCROOT --mypy MYPY --cache-dir DIR
                                                mypy over all of them, with
                                                tools/mypy.ini

The files: the package tools/corofo_tools, and every file under tools/ and
test/tools/ that is Python, by its name (*.py) or, for the scripts without
.py (tools/coro-bench, ...), by its `#!...python` line. Those are named to
the checkers one by one: a checker given a directory sees only *.py files.
lit's configuration files are left out (they run inside lit, with its
globals). Exit status: the checker's.
"""
import argparse
import os
import subprocess
import sys

DIRS = ("tools", os.path.join("test", "tools"))


def is_python(path):
    if path.endswith(".py"):
        return True
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def python_files(root):
    found = []
    for top in DIRS:
        for d, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__")
            for name in sorted(files):
                path = os.path.join(d, name)
                if name.startswith("lit.") or not is_python(path):
                    continue
                found.append(os.path.relpath(path, root))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root")
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true")
    what.add_argument("--pyflakes")
    what.add_argument("--mypy")
    ap.add_argument("--cache-dir", default=None)
    a = ap.parse_args()
    files = python_files(a.root)
    if a.list:
        print("\n".join(files))
        return 0
    if a.pyflakes:
        return subprocess.call([a.pyflakes] + files, cwd=a.root)
    env = dict(os.environ, MYPYPATH=os.path.join(a.root, "tools"))
    cmd = [a.mypy, "--config-file", os.path.join("tools", "mypy.ini")]
    if a.cache_dir:
        cmd += ["--cache-dir", a.cache_dir]
    return subprocess.call(cmd + files, cwd=a.root, env=env)


if __name__ == "__main__":
    sys.exit(main())
