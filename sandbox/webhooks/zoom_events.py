"""Zoom's webinar webhook bodies, shaped as its webhook schemas and official examples.

The ``operator`` of a change made through the API is the webinar's host (the sandbox has one
Server-to-Server app acting for the account). ``event_ts`` is the sandbox clock's time unless
a live run gives the simulated moment.
"""

from __future__ import annotations

from datetime import datetime

from ..common import epoch_ms, iso_z
from ..credentials import ZOOM_ACCOUNT_ID
from ..zoom.models import API_STATUS, REGISTRANT_FIELDS, Participant, Registrant, Webinar
from ..zoom.webinars import join_url

REGISTRANT_EVENTS = {"approved": "webinar.registration_approved",
                     "denied": "webinar.registration_denied",
                     "cancelled": "webinar.registration_cancelled"}


def body(event: str, when: datetime, payload: dict) -> dict:
    return {"event": event, "event_ts": epoch_ms(when),
            "payload": {"account_id": ZOOM_ACCOUNT_ID, **payload}}


def _operator(world, w: Webinar) -> dict:
    host = world.users_by_id.get(w.host_id)
    return {"operator": host.email if host else "", "operator_id": w.host_id}


def _occurrences(w: Webinar, full: bool = False) -> list[dict]:
    out = []
    for o in w.occurrences:
        item = {"occurrence_id": o["occurrence_id"], "start_time": iso_z(o["start_time"])}
        if full:
            item.update(duration=o["duration"], status=o.get("status", "available"))
        out.append(item)
    return out


def webinar_object(w: Webinar, *, full_occurrences: bool = False) -> dict:
    obj = {"uuid": w.uuid, "id": w.id, "host_id": w.host_id, "topic": w.topic,
           "type": w.type, "start_time": iso_z(w.start_time), "duration": w.duration,
           "timezone": w.timezone}
    if w.occurrences:
        obj["occurrences"] = _occurrences(w, full_occurrences)
    return obj


def webinar_created(world, w: Webinar, when: datetime) -> dict:
    """No sandbox route creates a webinar yet (it does not serve Create a webinar); this is
    the body one would send."""
    obj = webinar_object(w, full_occurrences=True)
    obj.update(join_url=join_url(world, w), creation_source="open_api",
               settings={k: v for k, v in w.settings.items() if not k.startswith("_")})
    if w.password:
        obj["password"] = w.password
    if w.recurrence:
        obj["recurrence"] = dict(w.recurrence)
    return body("webinar.created", when, {**_operator(world, w), "operation": "single",
                                          "object": obj})


def _scope(w: Webinar, occurrence_id: str) -> str:
    """"all" when a change reaches every occurrence of a recurring webinar."""
    return "all" if w.occurrences and not occurrence_id else "single"


def webinar_updated(world, w: Webinar, changed: dict, old: dict, when: datetime,
                    occurrence_id: str = "") -> dict:
    """``changed`` / ``old``: the fields the PATCH set, as Zoom shows them, now and before."""
    return body("webinar.updated", when, {
        **_operator(world, w), "scope": _scope(w, occurrence_id),
        "object": {"id": w.id, "uuid": w.uuid, **changed},
        "time_stamp": epoch_ms(when),
        "old_object": {"id": w.id, "uuid": w.uuid, **old}})


def webinar_deleted(world, w: Webinar, when: datetime, occurrence_id: str = "") -> dict:
    obj = webinar_object(w)
    if occurrence_id:
        obj["occurrences"] = [o for o in _occurrences(w)
                              if o["occurrence_id"] == occurrence_id]
    return body("webinar.deleted", when, {**_operator(world, w),
                                          "operation": _scope(w, occurrence_id),
                                          "object": obj})


def session_object(world, w: Webinar, uuid: str, start: datetime) -> dict:
    """A held session, as ``webinar.started``/``ended`` and the participant events show it:
    the id as a string, the session's own uuid and start."""
    host = world.users_by_id.get(w.host_id)
    return {"id": str(w.id), "uuid": uuid, "host_id": w.host_id,
            "host_email": host.email if host else "", "topic": w.topic, "type": w.type,
            "start_time": iso_z(start), "timezone": w.timezone, "duration": w.duration}


def registrant_object(world, w: Webinar, r: Registrant, event: str) -> dict:
    data = {"id": r.id, "first_name": r.first_name, "last_name": r.last_name,
            "email": r.email}
    if event == "webinar.registration_created":
        fields = r.fields or {}
        for name in REGISTRANT_FIELDS:
            data[name] = fields.get(name, "")
        data["custom_questions"] = [dict(q) for q in (r.custom_questions or [])]
        data["status"] = API_STATUS[r.status]
    if event in ("webinar.registration_created", "webinar.registration_approved"):
        data["join_url"] = join_url(world, w, r.tk)
    return data


def registration(world, w: Webinar, r: Registrant, event: str, when: datetime) -> dict:
    payload = {} if event == "webinar.registration_created" else _operator(world, w)
    obj = webinar_object(w)
    obj["registrant"] = registrant_object(world, w, r, event)
    return body(event, when, {**payload, "object": obj})


def participant(world, w: Webinar, uuid: str, start: datetime, row: Participant,
                joined: bool, when: datetime) -> dict:
    person = {"user_id": row.user_id, "user_name": row.name, "id": row.id}
    if joined:
        person["join_time"] = iso_z(row.join_time)
    else:
        person["leave_time"] = iso_z(row.leave_time)
        person["leave_reason"] = f"{row.name} left the webinar.<br>Reason: left the meeting"
    person["email"] = row.user_email
    if row.registrant_id:
        person["registrant_id"] = row.registrant_id
    person["participant_user_id"] = row.id
    person["participant_uuid"] = f"{row.user_id}-{uuid}"
    obj = session_object(world, w, uuid, start)
    obj.pop("host_email")
    obj["participant"] = person
    event = "webinar.participant_joined" if joined else "webinar.participant_left"
    return body(event, when, {"object": obj})
