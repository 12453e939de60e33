# expect-status.py N COMMAND...: run COMMAND with stdout and stderr passed
# through; succeed only if it exits with status N (`not` accepts any failure).
import subprocess
import sys

want = int(sys.argv[1])
got = subprocess.run(sys.argv[2:]).returncode
if got != want:
    print("expect-status.py: expected exit status %d, got %d" % (want, got),
          file=sys.stderr)
    sys.exit(1)
