"""``GET /report/webinars/{id}/participants``: the participant report of one held session.

The same rows as ``/past_webinars/{id}/participants`` (one per join/leave cycle, waiting-room
time in rows of its own), in the report's shape: no ``internal_user``, the signed-in user's id
in ``participant_user_id`` (and the deprecated ``id``), and ``registrant_id`` only when the
caller passes ``include_fields=registrant_id`` ("" for someone who did not register).

The report documents ``user_email`` as an empty string or an address matching its pattern, so
a free-text address that does not match (``foo@``, ``a@b@c``) comes back empty here, as for a
participant from outside the account. The report is a Heavy call: it counts against the daily
cap like the session report.
"""

from __future__ import annotations

import re

from ..common import Reply, ZoomError, iso_z
from ..world import World
from .paging import paginate
from .past import resolve_instance

INCLUDE_FIELDS = ("registrant_id",)
# user_email's pattern in the report's schema (meetings-api, reportWebinarParticipants).
REPORT_EMAIL = re.compile(
    r"(^\s*$|^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(\.[A-Za-z]{2,})$)")


def report_email(value: str) -> str:
    return value if REPORT_EMAIL.match(value or "") else ""


def report_participant_json(p, *, computed: bool, with_registrant_id: bool) -> dict:
    row = {
        "id": p.id,
        "user_id": p.user_id,
        "participant_user_id": p.id,
        "name": p.name,
        "user_email": report_email(p.user_email),
        "join_time": iso_z(p.join_time),
        "leave_time": iso_z(p.leave_time) if computed else "",
        "duration": p.duration if computed else 0,
        "failover": p.failover,
        "status": p.status,
    }
    if with_registrant_id:
        row["registrant_id"] = p.registrant_id
    return row


def _include_fields(req) -> set[str]:
    raw = req.query.get("include_fields") or ""
    fields = {f.strip() for f in raw.split(",") if f.strip()}
    if fields - set(INCLUDE_FIELDS):
        raise ZoomError(400, 300, "Invalid field: include_fields.")
    return fields


def report_participants(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    fields = _include_fields(req)
    with world.lock:
        _w, inst = resolve_instance(world, ref,
                                    not_found=f'Webinar "{ref}" not found or has expired')
        items, env = paginate(req, ("report_participants", inst.uuid), inst.participants)
        env["participants"] = [
            report_participant_json(p, computed=inst.durations_computed,
                                    with_registrant_id="registrant_id" in fields)
            for p in items]
    return Reply(200, env)
