"""Shared by the make_notebooks.py scripts: flawed solutions are the model answer with
one realistic edit each, and an edit that no longer lands exactly once must stop the
build rather than silently produce a copy of the model answer."""


def swap(text, *pairs):
    """text with each (old, new) replaced; every old must occur exactly once."""
    for old, new in pairs:
        if text.count(old) != 1:
            raise SystemExit(f"replacement found {text.count(old)} times: {old[:60]!r}")
        text = text.replace(old, new)
    return text
