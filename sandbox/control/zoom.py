"""Controls that play Zoom finishing a held session, as it does in the hours after the end:

- ``POST /_sandbox/zoom/report`` ``{"uuid": "...", "ready": false}``: the session is listed by
  ``/past_webinars/{id}/instances`` but its report and participant list answer 404 (Zoom's
  code 3001) until ``{"uuid": "...", "ready": true}``;
- ``POST /_sandbox/zoom/participants`` ``{"uuid": "...", "durations_computed": false}``: the
  participant rows are listed without a leave time and with a zero duration;
  ``{"uuid": "...", "leave_minutes": {"a@x.com": 45}}`` finishes them: every row of that
  e-mail leaves 45 minutes after the session's start, and the durations are computed (unless
  ``"durations_computed": false`` is given too);
- ``POST /_sandbox/zoom/page-tokens/expire``: every ``next_page_token`` issued so far expires,
  as if their 15 minutes had passed;
- ``POST /_sandbox/zoom/sessions`` ``{"webinar_id": N, "uuid": "...", "start_time": "...",
  "end_time": "...", "participants": [...]}``: Zoom reports a held session late (rows as in
  the ``custom`` seed): it is listed from then on, with its report and participants.
"""

from __future__ import annotations

from datetime import timedelta

from ..common import ControlError, Reply
from ..seeds.custom import FIRST_USER_ID, custom_instance_add
from ..world import World
from ..zoom.models import Instance
from .basics import known_keys_body


def _instance(world: World, body: dict) -> Instance:
    uuid = body.get("uuid")
    if not isinstance(uuid, str) or not uuid:
        raise ControlError(400, "'uuid' (a held session's UUID) is required")
    inst = world.instances_by_uuid.get(uuid)
    if inst is None:
        raise ControlError(404, f"no held session has the uuid {uuid!r}")
    return inst


def _flag(body: dict, key: str) -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise ControlError(400, f"'{key}' must be true or false")
    return value


def report(req) -> Reply:
    body = known_keys_body(req, {"uuid", "ready"})
    ready = _flag(body, "ready")
    if ready is None:
        raise ControlError(400, "'ready' (true or false) is required")
    world: World = req.world
    with world.lock:
        inst = _instance(world, body)
        inst.report_ready = ready
        return Reply(200, {"uuid": inst.uuid, "ready": inst.report_ready})


def _leave_times(inst: Instance, leave_minutes) -> dict[int, object]:
    """Row index -> new leave time; checks everything before anything changes."""
    if not isinstance(leave_minutes, dict) or not leave_minutes:
        raise ControlError(400, "'leave_minutes' must be an object like {\"a@x.com\": 45}")
    changes = {}
    for email, minutes in leave_minutes.items():
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
            raise ControlError(400, f"leave_minutes[{email!r}] must be a number of minutes >= 0")
        leave = inst.start_time + timedelta(minutes=minutes)
        rows = [i for i, p in enumerate(inst.participants)
                if p.user_email and p.user_email.lower() == email.strip().lower()]
        if not rows:
            raise ControlError(400, f"{email} has no participant row in session {inst.uuid!r}")
        for i in rows:
            if leave < inst.participants[i].join_time:
                raise ControlError(400, f"{email} would leave before joining")
            changes[i] = leave
    return changes


def participants(req) -> Reply:
    body = known_keys_body(req, {"uuid", "durations_computed", "leave_minutes"})
    computed = _flag(body, "durations_computed")
    leave_minutes = body.get("leave_minutes")
    if computed is None and leave_minutes is None:
        raise ControlError(400, "give 'durations_computed' and/or 'leave_minutes'")
    world: World = req.world
    with world.lock:
        inst = _instance(world, body)
        changes = _leave_times(inst, leave_minutes) if leave_minutes is not None else {}
        for i, leave in changes.items():
            inst.participants[i].leave_time = leave
        inst.durations_computed = computed if computed is not None else True
        return Reply(200, {"uuid": inst.uuid, "durations_computed": inst.durations_computed,
                           "participants": len(inst.participants), "rows_changed": len(changes)})


def expire_page_tokens(req) -> Reply:
    return Reply(200, {"expired": req.world.expire_page_tokens()})


def session_add(req) -> Reply:
    body = known_keys_body(req, {"webinar_id", "uuid", "start_time", "end_time", "participants"})
    world: World = req.world
    with world.lock:
        webinar_id = body.get("webinar_id")
        w = world.webinars.get(webinar_id) if isinstance(webinar_id, int) else None
        if w is None:
            raise ControlError(404, f"no webinar has the id {webinar_id!r}")
        first_user = FIRST_USER_ID + 100_000 * (len(w.instances) + 1)
        try:
            inst = custom_instance_add(world, w, body, first_user)
        except (KeyError, TypeError, ValueError) as exc:
            raise ControlError(400, str(exc)) from exc
        return Reply(200, {"uuid": inst.uuid, "participants": len(inst.participants)})
