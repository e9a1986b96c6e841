"""HubSpot forms' submissions: ``GET /form-integrations/v1/submissions/forms/{formGuid}``,
newest first, ``limit`` (default 20, at most 50) per page and an opaque ``after`` cursor
(``paging.next`` is left out on the last page).

Forms and their submissions are made with the control API (``/_sandbox/hubspot/forms``); a
submission creates or updates its contact as a real one does (``World.submit_form``).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from ..common import HubSpotError, Reply
from ..world import World
from .batch import validation_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 50


def _after_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sub:{offset}".encode()).decode().rstrip("=")


def _after_offset(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "sub" or not number.isdigit():
        raise validation_error(f"Invalid value for 'after': {token}")
    return int(number)


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise validation_error(f"Invalid value for 'limit': {raw}")
    limit = int(raw)
    if limit > MAX_LIMIT:
        raise validation_error(f"limit must be at most {MAX_LIMIT}, got {limit}")
    return limit


def form_submissions(req) -> Reply:
    world: World = req.world
    guid = req.params["formGuid"]
    limit = _limit(req.query.get("limit"))
    after = req.query.get("after")
    offset = _after_offset(after) if after else 0
    with world.lock:
        form = world.forms.get(guid)
        if form is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Form {guid} does not exist")
        newest_first = sorted(enumerate(form.submissions),
                              key=lambda item: (item[1]["submittedAt"], item[0]), reverse=True)
        page = [s for _i, s in newest_first[offset:offset + limit]]
        body = {"results": [{"conversionId": s["conversionId"],
                             "submittedAt": s["submittedAt"],
                             "values": [{"name": k, "value": v} for k, v in s["values"].items()],
                             "pageUrl": s["pageUrl"]} for s in page]}
        if offset + limit < len(newest_first):
            token = _after_token(offset + limit)
            query = urlencode({"limit": limit, "after": token})
            body["paging"] = {"next": {
                "after": token,
                "link": f"{world.base_url}/hubspot/form-integrations/v1/submissions/forms/"
                        f"{guid}?{query}"}}
    return Reply(200, body)
