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


def shown(visibility: str, published: bool) -> bool:
    if visibility == Visibility.VISIBLE.value:
        return True
    if visibility == Visibility.AFTER_PUBLISHED.value:
        return published
    return False                 # hidden, or anything unknown


def candidate_view(*, score: float, max_score: float, status: str, message: str,
                   tests: list[dict], published: bool) -> ResultView:
    views = tuple(TestView(name=t.get("name", ""), description=t.get("description") or t.get("name", ""),
                           score=t.get("score", 0.0), max_score=t.get("max_score", 0.0),
                           status=t.get("status", ""), message=t.get("message", ""))
                  for t in tests if shown(t.get("visibility", Visibility.HIDDEN.value), published))
    complete = len(views) == len(tests)
    if published or complete:
        return ResultView(max_score, score, status, message, views, withheld=False)
    return ResultView(max_score, None, None, None, views, withheld=True)
