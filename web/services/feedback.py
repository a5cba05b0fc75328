"""Words for a result that fit its score: a verdict label and the reader's language.

The engine's verdict says what the run did (`ok`, `wrong`, `time_limit`, ...). For the two
verdicts that only mean "the checks decided", the label a candidate reads follows the
points: full marks, partly right, or no points, so 0/5 is never called "partly wrong".
The verdicts naming a failure of the run (time limit, memory, output, crash, not handed in,
our fault) keep their own name. Pure functions: the pages turn the key into text.
"""
from __future__ import annotations

from grader.models import Verdict

DECIDED_BY_CHECKS = (Verdict.OK.value, Verdict.WRONG.value)


def verdict_key(status: str | None, score: float | None, max_score: float | None) -> str:
    """The i18n key of the verdict label (`verdict.full`, `verdict.partial`, `verdict.zero`, or
    `verdict.<status>`)."""
    if status in DECIDED_BY_CHECKS and score is not None and max_score:
        if score >= max_score:
            return "verdict.full"
        return "verdict.partial" if score > 0 else "verdict.zero"
    return f"verdict.{status}"


def in_lang(texts: dict | None, fallback: str, lang: str) -> str:
    """The text in `lang` from a {lang: text} map the engine wrote, else the one stored."""
    return (texts or {}).get(lang) or fallback
