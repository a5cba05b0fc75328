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


RESULTS_FD_ENV = "PRACTICUM_RESULTS_FD"   # the harness's end of the pipe to the supervisor
SEALED = {"results": RESULTS, "observations": OBSERVATIONS, "notebook": NOTEBOOK_REPORT}
_results_fd: int | None = None


def take_results_fd() -> None:
    """In the harness process: take the pipe to the supervisor (and keep it from every child)."""
    global _results_fd
    raw = os.environ.pop(RESULTS_FD_ENV, "")
    if raw.isdigit():
        _results_fd = int(raw)
        os.set_inheritable(_results_fd, False)


def _send(line: str) -> None:
    if _results_fd is None:
        raise RuntimeError("no results channel: only the harness process reports results")
    data = (line + "\n").encode("utf-8")
    while data:
        data = data[os.write(_results_fd, data):]


def append_event(event):
    """Send one test event to the supervisor at once: a crash keeps what was done.

    The supervisor alone writes the results file, after every other process in
    the sandbox has ended; the host believes it only with the digest the
    supervisor put in its log line."""
    _send(json.dumps(event, ensure_ascii=False, default=str))


def send_file(name: str, text: str) -> None:
    """Replace one of the sealed files (observations, the notebook report) with `text`."""
    _send(json.dumps({"file": name, "text": text}, ensure_ascii=False))
