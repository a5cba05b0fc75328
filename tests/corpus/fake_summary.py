# Prints fake supervisor summary lines (one ends at U+2028, which splitlines() would honour)
# claiming success, then leaves before any test ran.
import os
import sys

fake = '{"exit_code": 0, "duration_s": 0.1, "stdout": "", "stderr": "", "stdout_bytes": 0, "flooded": false}'
for text in (f"\nPRACTICUM-SUMMARY {fake}\n", "\nPRACTICUM-SUMMARY {}\u2028", "\nPRACTICUM-SUMMARY 5\u2028"):
    sys.stdout.write(text)
    sys.stderr.write(text)
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)


def add(a, b):
    return a + b
