"""Zoom reports: one held session (``/report/webinars/{id}``) and the account's meeting
history (``/report/history_meetings``)."""

from __future__ import annotations

from datetime import date

from ..common import Reply, ZoomError, iso_z
from ..world import World
from .models import WAITING_ROOM, Webinar
from .paging import paginate
from .past import resolve_instance

MAX_REPORT_RANGE_MONTHS = 1


def report_webinar(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        w, inst = resolve_instance(world, ref,
                                   not_found=f"Meeting {ref} not found or has expired.")
        host = world.users_by_id.get(w.host_id)
        rows = inst.participants
        people = {p.id or p.registrant_id or p.user_email or p.name for p in rows}
        total_s = inst.total_duration_s()
        return Reply(200, {
            "uuid": inst.uuid,
            "id": w.id,
            "type": w.type,
            "topic": w.topic,
            "user_name": host.display_name if host else "",
            "user_email": host.email if host else "",
            "start_time": iso_z(inst.start_time),
            "end_time": iso_z(inst.end_time),
            "duration": round((inst.end_time - inst.start_time).total_seconds() / 60),
            "total_minutes": round(total_s / 60),
            "participants_count": len(people),
            "dept": host.dept if host else "",
            "tracking_fields": [],
            "custom_keys": [],
        })


def _date_param(req, name: str, *, required: bool = True) -> date | None:
    raw = req.query.get(name) or ""
    if not raw:
        if required:
            raise ZoomError(400, 300, f"Invalid parameter: {name}.")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid parameter: {name}.") from None


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def _enum_param(req, name: str, allowed: tuple, default: str) -> str:
    value = req.query.get(name) or default
    if value not in allowed:
        raise ZoomError(400, 300, f"Invalid parameter: {name}.")
    return value


def _max_concurrent(rows) -> int:
    events = []
    for p in rows:
        if not p.internal_user and p.status != WAITING_ROOM:
            events.append((p.join_time, 1))
            events.append((p.leave_time, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    best = current = 0
    for _when, delta in events:
        current += delta
        best = max(best, current)
    return best


def history_row(world: World, w: Webinar, inst) -> dict:
    host = world.users_by_id.get(w.host_id)
    rows = inst.participants
    people = {p.id or p.registrant_id or p.user_email or p.name for p in rows}
    # waiting in the waiting room is not viewing
    viewers = {p.id or p.registrant_id or p.user_email or p.name for p in rows
               if not p.internal_user and p.user_email and p.status != WAITING_ROOM}
    return {
        "meeting_uuid": inst.uuid,
        "meeting_id": w.id,
        "type": "Webinar",
        "host_display_name": host.display_name if host else "",
        "host_email": host.email if host else "",
        "start_time": iso_z(inst.start_time),
        "end_time": iso_z(inst.end_time),
        "topic": w.topic,
        "participants": len(people),
        "duration": round((inst.end_time - inst.start_time).total_seconds() / 60),
        "total_participant_minutes": round(inst.total_duration_s() / 60),
        "department": host.dept if host else "",
        "group": [],
        "source": "Zoom",
        "unique_viewers": len(viewers),
        "max_concurrent_views": _max_concurrent(rows),
        "create_time": iso_z(w.created_at),
        "custom_fields": [],
        "tracking_fields": [],
        "feature_used": {
            "screen_sharing": True,
            "video_on": True,
            "in_meeting_chat": True,
            "poll": False,
            "waiting_room": any(p.status == WAITING_ROOM for p in rows),
            "telephone_usage": any(not p.user_email and not p.id for p in rows),
            "record_to_cloud": False,
            "registration": bool(w.registrants),
        },
    }


def history_meetings(req) -> Reply:
    """``GET /report/history_meetings``: one row per held instance in a date range (≤ 1 month).

    Dates are UTC days, both ends included. The sandbox has webinars only, so
    ``meeting_type=meeting`` lists nothing.
    """
    world: World = req.world
    date_from = _date_param(req, "from")
    date_to = _date_param(req, "to")
    if date_to < date_from:
        raise ZoomError(400, 300, "Invalid parameter: to. The to date must not be earlier "
                                  "than the from date.")
    if date_to > add_months(date_from, MAX_REPORT_RANGE_MONTHS):
        raise ZoomError(400, 300, "Invalid parameter: to. The date range defined by the from "
                                  "and to parameters should only be one month.")
    date_type = _enum_param(req, "date_type", ("start_time", "end_time"), "start_time")
    meeting_type = _enum_param(req, "meeting_type", ("meeting", "webinar", "all"), "all")
    _enum_param(req, "report_type", ("all", "poll", "survey", "qa", "resource", "reaction"),
                "all")
    search = (req.query.get("search_key") or "").strip().lower()
    with world.lock:
        found = []
        if meeting_type in ("webinar", "all"):
            for w in world.webinars.values():
                if search and search not in w.topic.lower() and search != str(w.id):
                    continue
                for inst in w.instances:
                    when = inst.start_time if date_type == "start_time" else inst.end_time
                    if date_from <= when.date() <= date_to:
                        found.append((inst.start_time, inst.uuid, w, inst))
        found.sort(key=lambda f: (f[0], f[1]))
        key = ("history", str(date_from), str(date_to), date_type, meeting_type, search)
        items, env = paginate(req, key, found)
        return Reply(200, {
            "next_page_token": env["next_page_token"],
            "page_size": env["page_size"],
            "history_meetings": [history_row(world, w, inst) for _s, _u, w, inst in items],
        })
