"""File names and shapes of what crosses the sandbox boundary.

The host writes a spec (JSON) into a read-only folder; the sandbox writes
results as JSON lines and JSON files into its output folder. Nothing else
crosses: no code, no pickles (habit 8).
"""
import json
import os

SPEC_PATH = "/opt/spec/spec.json"
OUT = "/out"
WORK = "/out/work"              # the candidate's files, and where they write
ARTIFACTS = "/out/artifacts"    # screenshots, executed notebook, kept files
RESULTS = "/out/.results.jsonl"     # one event per line: start / end of each test
NOTEBOOK_REPORT = "/out/.notebook.json"
OBSERVATIONS = "/out/observations.json"
WATCHDOG = "/out/.watchdog"      # written only when a test hung past its hard limit
SUMMARY_PREFIX = "PRACTICUM-SUMMARY "   # the supervisor's last log line

# outcomes a test can report from inside
PASSED, PARTIAL, FAILED, ERROR, TIME_LIMIT, MEMORY_LIMIT, SKIPPED = (
    "passed", "partial", "failed", "error", "time_limit", "memory_limit", "skipped")


def ensure_dirs():
    """The host staged the candidate's files in /out/work; make sure both folders exist."""
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(ARTIFACTS, exist_ok=True)


def load_spec(path=SPEC_PATH):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def append_event(event):
    """Append one event and flush it to disk at once: a crash keeps what was done."""
    line = json.dumps(event, ensure_ascii=False, default=str)
    fd = os.open(RESULTS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)
