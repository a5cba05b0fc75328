"""The results board's application factory: configure and wire, nothing else.

The board is the worker's minimal app (`web.storage.settings.base_app`: settings,
database, file store), the grading queue (`web.grading.dispatch`), and the pages
on top: language, security, the signed-in user, one blueprint per role, the sign-in throttle.
"""
from __future__ import annotations

from flask import Flask

from ..grading import dispatch
from ..storage.settings import base_app
from . import (auth, candidate, cert, contest, examiner, grades, health, i18n, labels, policy, proctor, scoreboard,
               results_api, security, staff, throttle, uploads, verify, worker_api)


def create_app(test_config: dict | None = None) -> Flask:
    app = base_app(test_config, import_name=__name__)
    i18n.init_app(app)
    labels.init_app(app)
    policy.init_app(app)        # the signed-in user first: the upload guard records refusals by them
    uploads.init_app(app)       # before CSRF, which reads (and so receives) the whole form
    security.init_app(app)
    dispatch.init_app(app)
    for blueprint in (auth.bp, health.bp, candidate.bp, staff.bp, examiner.bp, grades.bp, proctor.bp,
                      scoreboard.bp, cert.bp, verify.bp, contest.bp, worker_api.bp, results_api.bp):
        app.register_blueprint(blueprint)
    throttle.init_app(app)
    return app
