"""Zoom meetings: a host scheduling one (``POST /users/{userId}/meetings``), its details,
changes and deletion (``/meetings/{meetingId}``), the participants of its held sessions
(``/past_meetings/{meetingId}/participants``) and the join page the sandbox serves in place
of Zoom's.

Only scheduled (type 2) and instant (type 1) meetings are modelled; a scheduled one needs a
``start_time`` (400, code 300 "Validation Failed." without it). Every meeting gets a passcode
(Zoom's default), carried in its join link as ``pwd``. A deleted meeting is gone from its own
endpoints (404, code 3001) while its held sessions stay reachable through /past_meetings, as
for webinars. A meeting never held has no participants to list: 404 with code 3001 (what
Zoom's spec documents for this operation).
"""

from __future__ import annotations

import base64
import secrets

from ..common import Reply, ZoomError, iso_z
from ..world import World
from .changes import AGENDA_MAX, PASSWORD_MAX, TOPIC_MAX, _invalid, _start_time, _text, _zone
from .models import Meeting, MeetingInstance, Participant
from .paging import paginate
from .webinars import join_page_reply

MEETING_TYPES = (1, 2)  # instant, scheduled
DURATION_MAX = 1440
DEFAULT_TOPIC = "Zoom Meeting"
# Settings that must be booleans when a request sets them (the rest are stored as given).
BOOLEAN_SETTINGS = ("host_video", "participant_video", "join_before_host", "mute_upon_entry",
                    "waiting_room", "watermark", "use_pmi", "enforce_login",
                    "meeting_authentication", "email_notification")


def new_meeting_id(world: World) -> int:
    """An unused 11-digit meeting id."""
    while True:
        mid = secrets.randbelow(9 * 10**10) + 10**10
        if mid not in world.meetings:
            return mid


def new_uuid() -> str:
    """Like Zoom's: 24 characters of standard base64 (may hold "/" and "+")."""
    return base64.b64encode(secrets.token_bytes(16)).decode()


def new_password() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _meeting_id(ref: str) -> int:
    if not ref.isdigit():
        raise ZoomError(404, 3001, f"Meeting does not exist: {ref}.")
    return int(ref)


def get_meeting(world: World, ref: str) -> Meeting:
    m = world.meetings.get(_meeting_id(ref))
    if m is None or m.deleted_at is not None:
        raise ZoomError(404, 3001, f"Meeting does not exist: {ref}.")
    return m


def join_url(world: World, m: Meeting) -> str:
    url = f"{world.base_url}/zoom/j/{m.id}"
    return f"{url}?pwd={m.password}" if m.password else url


def meeting_settings(m: Meeting, host) -> dict:
    settings = {
        "host_video": False,
        "participant_video": False,
        "join_before_host": False,
        "jbh_time": 0,
        "mute_upon_entry": False,
        "watermark": False,
        "use_pmi": False,
        "approval_type": 2,
        "audio": "voip",
        "auto_recording": "none",
        "enforce_login": False,
        "enforce_login_domains": "",
        "alternative_hosts": "",
        "waiting_room": False,
        "meeting_authentication": False,
        "email_notification": True,
        "contact_name": host.display_name if host else "",
        "contact_email": host.email if host else "",
        "show_share_button": False,
        "allow_multiple_devices": False,
        "private_meeting": False,
        "email_in_attendee_report": False,
    }
    settings.update(m.settings)
    return settings


def meeting_json(world: World, m: Meeting) -> dict:
    host = world.users_by_id.get(m.host_id) or world.find_user("me")
    data = {
        "uuid": m.uuid,
        "id": m.id,
        "host_id": m.host_id,
        "host_email": host.email if host else "",
        "topic": m.topic,
        "type": m.type,
        "status": m.status,
        "start_time": iso_z(m.start_time),
        "duration": m.duration,
        "timezone": m.timezone,
        "agenda": m.agenda,
        "created_at": iso_z(m.created_at),
        "start_url": f"{world.base_url}/zoom/s/{m.id}?zak=sandbox",
        "join_url": join_url(world, m),
        "password": m.password,
        "h323_password": m.password,
        "pstn_password": m.password,
        "settings": meeting_settings(m, host),
        "pre_schedule": False,
        "creation_source": "open_api",
    }
    return data


def _fields(body, *, creating: bool, timezone: str) -> dict:
    """The body's fields, every one checked before any is applied."""
    if not isinstance(body, dict):
        raise ZoomError(400, 300, "Request Body should be a valid JSON object.")
    out = {}
    for key, limit in (("topic", TOPIC_MAX), ("agenda", AGENDA_MAX),
                       ("password", PASSWORD_MAX)):
        value = _text(body, key, limit)
        if value is not None:
            out[key] = value
    if "type" in body:
        if isinstance(body["type"], bool) or body["type"] not in MEETING_TYPES:
            raise _invalid("type")
        out["type"] = body["type"]
    if "timezone" in body:
        if not isinstance(body["timezone"], str):
            raise _invalid("timezone")
        _zone(body["timezone"])
        out["timezone"] = body["timezone"]
    if "start_time" in body:
        out["start_time"] = _start_time(body["start_time"], out.get("timezone") or timezone)
    elif creating and out.get("type", 2) == 2:
        raise ZoomError(400, 300, "Validation Failed.", errors=[
            {"field": "start_time", "message": "start_time is required for a scheduled "
                                               "meeting."}])
    if "duration" in body:
        duration = body["duration"]
        if (isinstance(duration, bool) or not isinstance(duration, int)
                or not 1 <= duration <= DURATION_MAX):
            raise _invalid("duration")
        out["duration"] = duration
    if "settings" in body:
        if not isinstance(body["settings"], dict):
            raise _invalid("settings")
        for name in BOOLEAN_SETTINGS:
            if name in body["settings"] and not isinstance(body["settings"][name], bool):
                raise _invalid(f"settings.{name}")
        out["settings"] = body["settings"]
    return out


def create_meeting(req) -> Reply:
    world: World = req.world
    ref = req.params["userId"]
    body = req.json()
    with world.lock:
        user = world.find_user(ref)
        if user is None:
            raise ZoomError(404, 1001, f"User does not exist: {ref}.")
        fields = _fields(body, creating=True, timezone=user.timezone)
        now = world.now()
        kind = fields.get("type", 2)
        m = world.add_meeting(Meeting(
            id=new_meeting_id(world), uuid=new_uuid(), host_id=user.id,
            topic=fields.get("topic") or DEFAULT_TOPIC, type=kind,
            start_time=fields.get("start_time", now) if kind == 2 else now,
            duration=fields.get("duration", 60),
            timezone=fields.get("timezone") or user.timezone,
            agenda=fields.get("agenda", ""), created_at=now,
            settings=dict(fields.get("settings") or {}),
            password=fields.get("password") or new_password()))
        return Reply(201, meeting_json(world, m))


def get_meeting_detail(req) -> Reply:
    world: World = req.world
    with world.lock:
        return Reply(200, meeting_json(world, get_meeting(world, req.params["meetingId"])))


def update_meeting(req) -> Reply:
    world: World = req.world
    body = req.json()
    with world.lock:
        m = get_meeting(world, req.params["meetingId"])
        fields = _fields(body, creating=False, timezone=m.timezone)
        for key in ("topic", "agenda", "password", "type", "timezone", "start_time",
                    "duration"):
            if key in fields:
                setattr(m, key, fields[key])
        if "settings" in fields:
            m.settings = {**m.settings, **fields["settings"]}
    return Reply(204, None)


def delete_meeting(req) -> Reply:
    world: World = req.world
    with world.lock:
        m = get_meeting(world, req.params["meetingId"])
        m.deleted_at = world.now()
    return Reply(204, None)


def resolve_meeting_instance(world: World, ref: str) -> MeetingInstance:
    """A held session from a numeric meeting id (its latest one) or a session's uuid."""
    if ref.isdigit():
        m = world.meetings.get(int(ref))
        inst = m.instances[-1] if m is not None and m.instances else None
    else:
        inst = world.meeting_instances_by_uuid.get(ref)
    if inst is None:
        raise ZoomError(404, 3001, f"Meeting does not exist: {ref}.")
    return inst


def participant_json(p: Participant) -> dict:
    # Zoom documents registrant_id on these rows only with include_fields=registrant_id,
    # which this operation does not take: the rows never carry one.
    return {
        "id": p.id,
        "name": p.name,
        "user_id": p.user_id,
        "user_email": p.user_email,
        "join_time": iso_z(p.join_time),
        "leave_time": iso_z(p.leave_time),
        "duration": p.duration,
        "failover": p.failover,
        "status": p.status,
        "internal_user": p.internal_user,
    }


def past_meeting_participants(req) -> Reply:
    world: World = req.world
    with world.lock:
        inst = resolve_meeting_instance(world, req.params["meetingId"])
        items, env = paginate(req, ("meeting_participants", inst.uuid), inst.participants)
        env["participants"] = [participant_json(p) for p in items]
    return Reply(200, env)


def join_page(req) -> Reply:
    world: World = req.world
    ref = req.params["meetingId"]
    with world.lock:
        m = world.meetings.get(int(ref)) if ref.isdigit() else None
    return join_page_reply(m.topic if m else "Unknown meeting", found=m is not None,
                           stand_in_for="a Zoom meeting's join link")
