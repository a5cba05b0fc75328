# Plants named pipes where the host and the judge read files: a kept artifact, and a decoy
# results file beside the real one. A reader that opens them blocking would hang forever
# (no writer ever comes), so the grader must open without blocking and skip what is not a file.
import os

for path in ("/out/artifacts/screenshot.png", "/out/artifacts/log.txt", "/out/work/output.csv"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.mkfifo(path)
    except OSError:
        pass


def add(a, b):
    return a + b
