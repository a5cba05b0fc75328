"""Code that runs inside the sandbox.

This folder is bind-mounted read-only into every sandbox as the package
`practicum` (so rubric tests write `from practicum import rubric`). It may use
only the standard library and what the sandbox image ships (pytest, nbclient),
and it imports nothing from the rest of `grader`: the host never trusts what
it reports for tests decided outside the candidate's sandbox.
"""
