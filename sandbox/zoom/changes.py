"""A host changing a webinar: ``PATCH /webinars/{id}`` (the whole webinar, or one occurrence
with ``occurrence_id``) and ``DELETE /webinars/{id}`` (the webinar, or one occurrence), both
answering 204 as Zoom's spec has them.

A deleted webinar is gone from its own endpoints (details, registrants: 404 with code 3001)
and from its host's list, while its held sessions, their reports and participants and its
rows of the history report stay. A deleted occurrence stays listed with the status
``deleted``. Zoom counts at most 100 updates a day per host.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..common import Reply, ZoomError, iso_z, parse_iso
from ..limits import next_midnight_utc
from ..webhooks import zoom_events
from ..world import World
from .models import Webinar
from .webinars import get_webinar

UPDATES_PER_HOST_PER_DAY = 100
TOPIC_MAX = 200
AGENDA_MAX = 2000
PASSWORD_MAX = 10
# Documented fields the sandbox accepts but does not model (they change nothing it serves).
# Settings that must be booleans when a PATCH sets them (the rest are stored as given).
BOOLEAN_SETTINGS = ("close_registration", "registrants_email_notification",
                    "registrants_confirmation_email")
IGNORED_FIELDS = {"schedule_for", "tracking_fields", "is_simulive", "record_file_id",
                  "transition_to_live", "simulive_delay_start"}


def _invalid(field: str) -> ZoomError:
    return ZoomError(400, 300, "Validation Failed.",
                     errors=[{"field": field, "message": "Invalid field."}])


def _occurrence(w: Webinar, occurrence_id: str) -> dict:
    for o in w.occurrences:
        if o["occurrence_id"] == occurrence_id and o.get("status") != "deleted":
            return o
    raise ZoomError(400, 3000, "Webinar occurrence does not exist.")


def _zone(name: str, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(field) from None


def _start_time(value, zone_name: str) -> datetime:
    """``yyyy-MM-ddTHH:mm:ssZ`` is GMT; without the ``Z`` it is local time in the webinar's
    (or the body's) time zone."""
    if not isinstance(value, str) or not value.strip():
        raise _invalid("start_time")
    text = value.strip()
    if text.endswith("Z") or "+" in text[10:] or "-" in text[10:]:
        parsed = parse_iso(text)
    else:
        try:
            parsed = datetime.fromisoformat(text).replace(tzinfo=_zone(zone_name or "UTC"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise _invalid("start_time")
    return parsed


def _text(body: dict, key: str, limit: int) -> str | None:
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(key)
    return value


def _count_update(world: World, w: Webinar) -> None:
    now = world.clock.time()
    key = (w.host_id, int(now // 86400))
    if world.webinar_updates_today[key] >= UPDATES_PER_HOST_PER_DAY:
        raise ZoomError(429, 429, "You have exceeded the daily rate limit of "
                        f"({UPDATES_PER_HOST_PER_DAY}) for Update a webinar API requests for "
                        "this user. You may resume these requests at GMT 00:00:00.",
                        headers={"X-RateLimit-Category": "Light",
                                 "X-RateLimit-Type": "Daily-limit",
                                 "Retry-After": iso_z(next_midnight_utc(now))})
    world.webinar_updates_today[key] += 1


def _changes(body: dict, w: Webinar) -> dict:
    """The body's changes, every one checked before any is applied."""
    if not isinstance(body, dict):
        raise ZoomError(400, 300, "Request Body should be a valid JSON object.")
    changes = {}
    for key, limit in (("topic", TOPIC_MAX), ("agenda", AGENDA_MAX),
                       ("password", PASSWORD_MAX)):
        value = _text(body, key, limit)
        if value is not None:
            changes[key] = value
    if "topic" in changes and not changes["topic"].strip():
        raise _invalid("topic")
    if "timezone" in body:
        if not isinstance(body["timezone"], str):
            raise _invalid("timezone")
        _zone(body["timezone"])
        changes["timezone"] = body["timezone"]
    if "start_time" in body:
        changes["start_time"] = _start_time(body["start_time"],
                                            changes.get("timezone") or w.timezone)
    if "duration" in body:
        duration = body["duration"]
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise _invalid("duration")
        changes["duration"] = duration
    if "type" in body:
        if body["type"] not in (5, 6, 9) or isinstance(body["type"], bool):
            raise _invalid("type")
        changes["type"] = body["type"]
    for key in ("settings", "recurrence"):
        if key in body:
            if not isinstance(body[key], dict):
                raise _invalid(key)
            changes[key] = body[key]
    for name in BOOLEAN_SETTINGS:
        if name in changes.get("settings", {}) and not isinstance(changes["settings"][name], bool):
            raise _invalid(f"settings.{name}")
    return changes


def update_webinar(req) -> Reply:
    world: World = req.world
    body = req.json()
    occurrence_id = req.query.get("occurrence_id") or ""
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        changes = _changes(body, w)
        target = _occurrence(w, occurrence_id) if occurrence_id else None
        _count_update(world, w)
        if target is not None:
            # an occurrence has its own start and length; the rest is the webinar's
            before = _occurrence_shown(target)
            if "start_time" in changes:
                target["start_time"] = changes["start_time"]
            if "duration" in changes:
                target["duration"] = changes["duration"]
            event = zoom_events.webinar_updated(world, w, _occurrence_shown(target), before,
                                                world.now(), occurrence_id)
            world.webhooks.zoom(event)
            return Reply(204, None)
        before = _shown(w, changes)
        for key in ("topic", "agenda", "password", "timezone", "start_time", "duration",
                    "type"):
            if key in changes:
                setattr(w, key, changes[key])
        if "settings" in changes:
            w.settings = {**w.settings, **changes["settings"]}
        if "recurrence" in changes:
            w.recurrence = {**(w.recurrence or {}), **changes["recurrence"]}
        event = zoom_events.webinar_updated(world, w, _shown(w, changes), before, world.now())
    world.webhooks.zoom(event)
    return Reply(204, None)


def _occurrence_shown(o: dict) -> dict:
    return {"occurrences": [{"occurrence_id": o["occurrence_id"],
                             "start_time": iso_z(o["start_time"]),
                             "duration": o["duration"]}]}


def _shown(w: Webinar, changes: dict) -> dict:
    """The changed fields as ``webinar.updated`` shows them (settings: only the keys set)."""
    shown = {}
    for key in changes:
        if key == "settings":
            shown[key] = {k: w.settings.get(k) for k in changes[key]
                          if not k.startswith("_")}
        elif key == "recurrence":
            shown[key] = {k: (w.recurrence or {}).get(k) for k in changes[key]}
        elif key == "start_time":
            shown[key] = iso_z(w.start_time)
        else:
            shown[key] = getattr(w, key)
    return shown


def _flag(req, name: str) -> bool:
    raw = (req.query.get(name) or "false").lower()
    if raw not in ("true", "false"):
        raise ZoomError(400, 300, f"Invalid field: {name}.")
    return raw == "true"


def delete_webinar(req) -> Reply:
    world: World = req.world
    occurrence_id = req.query.get("occurrence_id") or ""
    _flag(req, "cancel_webinar_reminder")  # e-mails are not sent by the sandbox
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        if occurrence_id:
            _occurrence(w, occurrence_id)["status"] = "deleted"
        else:
            w.deleted_at = world.now()
        event = zoom_events.webinar_deleted(world, w, world.now(), occurrence_id)
    world.webhooks.zoom(event)
    return Reply(204, None)
