"""What a candidate may see of a result: pure functions of the result and the exam's state.

* a test marked `hidden` is never shown to candidates (not even its name);
* `after_published` only once the exam is published;
* `visible` always.

The task's score, verdict and message are shown when nothing of the result is
withheld (every test shown) or once the exam is published; before that the
candidate sees the tests they may see and is told the rest comes later.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.models import Visibility

from .feedback import in_lang, verdict_key


@dataclass(frozen=True)
class TestView:
    __test__ = False

    name: str
    description: str
    score: float
    max_score: float
    status: str
    message: str


@dataclass(frozen=True)
class ResultView:
    max_score: float
    score: float | None          # None: withheld until publication
    status: str | None
    message: str | None
    tests: tuple[TestView, ...]
    withheld: bool               # something is held back until publication
    label: str = ""              # the verdict label's i18n key, fitting the score (`feedback.verdict_key`)


def shown(visibility: str, published: bool) -> bool:
    if visibility == Visibility.VISIBLE.value:
        return True
    if visibility == Visibility.AFTER_PUBLISHED.value:
        return published
    return False                 # hidden, or anything unknown


def candidate_view(*, score: float, max_score: float, status: str, message: str,
                   tests: list[dict], published: bool, lang: str = "zh", titles: dict[str, str] | None = None,
                   messages: dict[str, str] | None = None) -> ResultView:
    """`titles`: each check's title in `lang` (the package's, zh or en); `messages`: the task's
    message in every language; each test carries its own `messages` (the engine's)."""
    views = tuple(TestView(name=t.get("name", ""),
                           description=(titles or {}).get(t.get("name", "")) or t.get("description") or t.get("name", ""),
                           score=t.get("score", 0.0), max_score=t.get("max_score", 0.0),
                           status=t.get("status", ""), message=in_lang(t.get("messages"), t.get("message", ""), lang))
                  for t in tests if shown(t.get("visibility", Visibility.HIDDEN.value), published))
    complete = len(views) == len(tests)
    if published or complete:
        return ResultView(max_score, score, status, in_lang(messages, message, lang), views, withheld=False,
                          label=verdict_key(status, score, max_score))
    return ResultView(max_score, None, None, None, views, withheld=True)
