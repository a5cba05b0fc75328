"""The national board's HTTPS door for results packages: a site that is online sends the same
signed zip it would carry on a USB stick (`PUT /api/contests/<key>/results/<site>`; client:
`practicum results send`).

No session and no CSRF token: the package authenticates itself. It is accepted only when its
manifest is signed with the public key this board trusts for the site named in the URL and
names this competition, stage and exam (`national.check`, the same verification as an
upload on the national page). Idempotent: sending the same package again changes nothing
(200 "same"); a newer export of the site replaces the older one, which stays as history.
Answers are JSON with the reason in Chinese and English. Refusals of packages that fail
verification are logged, not recorded as imports: anyone can reach this door, and only
signed packages may write to the board.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from ..services.contest import national, package, setup
from ..services.contest.messages import text
from ..storage.db import db
from .contest import UPLOAD_MAX
from .policy import audit
from .security import csrf

log = logging.getLogger("practicum.results_api")
bp = Blueprint("results_api", __name__, url_prefix="/api/contests")
csrf.exempt(bp)

STATUS_CODES = {"imported": 201, "replaced": 200, "same": 200}


def _answer(code: int, status: str, key: str, **params):
    response = jsonify({"status": status, "reason": key,
                        "message": {"zh": text(key, "zh", **params), "en": text(key, "en", **params)}})
    response.status_code = code
    return response


@bp.put("/<key>/results/<site>")
def put_results(key: str, site: str):
    competition = setup.by_key(key)
    if competition is None or competition.site:      # only a national board takes packages
        return _answer(404, "refused", "results.api_no_competition", value=key)
    if (request.content_length or 0) > UPLOAD_MAX:
        return _answer(413, "refused", "results.api_too_large", value=UPLOAD_MAX // 2 ** 20)
    data = request.get_data(cache=False)
    if len(data) > UPLOAD_MAX:                        # sent without a length, or lying about it
        return _answer(413, "refused", "results.api_too_large", value=UPLOAD_MAX // 2 ** 20)
    try:
        got = national.check(competition, data)
    except package.Refused as exc:
        log.warning("results PUT for %s/%s from %s refused: %s %s", key, site, request.remote_addr,
                    exc.key, exc.value)
        return _answer(422, "refused", exc.key, value=exc.value)
    if got.header.site != site:
        return _answer(409, "refused", "results.api_wrong_site", value=got.header.site)
    done = national.import_package(competition, data, f"PUT {site}", actor=f"site:{site}")
    audit("results_import", competition.key, actor_name=f"site:{site}", site=site, status=done.status,
          reason=done.reason, file="PUT", sha256=done.row.file_sha256)
    db.session.commit()
    if done.status == "refused":                     # verified, but older than the site's current export
        return _answer(409, "refused", done.reason, value=done.value)
    return _answer(STATUS_CODES[done.status], done.status, f"results.{done.status}", value=done.row.teams)
