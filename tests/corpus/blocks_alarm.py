# Blocks the signal the per-test limit uses, then hangs: the watchdog must still end it.
import signal
import time


def add(a, b):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        time.sleep(0.05)
