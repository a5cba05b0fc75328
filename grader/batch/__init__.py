"""Batch grading: every submission of a folder or an LMS zip, one class table (`practicum batch`).

`discover` finds the submissions and names their candidates, `records` keeps one JSON
record per submission (what resuming reads), `run` grades them `jobs` at a time and stops
cleanly, `progress` draws the progress line, `exports` writes the class table.
"""
