"""The similarity report: every pair of a task's hand-ins compared by winnowed fingerprints of
their normalised tokens (identifiers, numbers and strings normalised, comments dropped), with
the starter code and the fragments most submissions share ignored. It points a person at pairs
to read; nothing here changes a score.

    tokens     Python code -> normalised tokens with their places (standard `tokenize`)
    winnow     k-gram hashes and the winnowed fingerprints
    compare    a task's pairs, histogram, clusters; pairs that repeat across tasks
    fragments  the shared runs of a pair, the texts cut for showing them side by side
    sources    the code of a hand-in (script, notebook cells, a project's files); a folder of them
    export     CSV
"""
from .compare import clusters, compare, repeats
from .model import Document, Fragment, Pair, Repeat, Settings, Skipped, TaskReport

__all__ = ["Document", "Fragment", "Pair", "Repeat", "Settings", "Skipped", "TaskReport", "clusters", "compare",
           "repeats"]
