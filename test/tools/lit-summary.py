#!/usr/bin/env python3
"""Run lit and end with one line `N passed, N failed[, N skipped]`.

Usage: lit-summary.py <lit> <test dir> [lit args...]
Exits non-zero when any test failed or lit itself failed.
"""
import json
import os
import subprocess
import sys
import tempfile

PASSED = {"PASS", "XFAIL", "FLAKYPASS"}
SKIPPED = {"UNSUPPORTED", "SKIPPED", "EXCLUDED"}


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: lit-summary.py <lit> <test dir> [lit args...]")
    lit, test_dir, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        results = os.path.join(tmp, "results.json")
        rc = subprocess.call([lit, *args, "-o", results, test_dir])
        try:
            with open(results) as f:
                tests = json.load(f).get("tests", [])
        except (OSError, ValueError) as e:
            print("lit wrote no results (%s); lit exit code %d" % (e, rc))
            print("0 passed, 1 failed")
            return 1
    codes = [t.get("code", "") for t in tests]
    passed = sum(c in PASSED for c in codes)
    skipped = sum(c in SKIPPED for c in codes)
    failed = len(codes) - passed - skipped
    if rc != 0 and failed == 0:
        failed = 1  # lit failed without a failing test: count it
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
