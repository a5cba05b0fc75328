"""Code that runs inside the sandbox.

This folder is bind-mounted read-only into every sandbox as the package
`practicum` (so rubric tests write `from practicum import rubric`). It may use
only the standard library and what the sandbox image ships (pytest, nbclient),
and it imports nothing from the rest of `grader`.

Three kinds of process run it: the supervisor (PID 1), the harness (pytest and
the examiner's tests) and the candidate's (candidate_server.py, or their
notebook's kernel). Only the first two decide anything; docs/architecture.md,
"Verdicts candidate code cannot forge".
"""
