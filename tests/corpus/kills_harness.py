# Kills the process that runs the tests (its parent) as soon as it is imported, with a
# right add(): a harness that never reports must not count as tests passed.
import os
import signal

try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError:
    pass


def add(a, b):
    return a + b
