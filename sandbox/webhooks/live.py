"""A live run (``POST /_sandbox/zoom/webinars/{id}/live``): a held session played over
simulated time, its state in the API at once and its webhooks sent as it goes.

The world changes when the run is asked for: the registrations and cancellations are made and
the held session (uuid, report, participant rows) is added, so a reconcile through the API
finds the whole truth whatever the webhooks do (dropped, duplicated, out of order). With a
timed ``speed`` the session starts now and its events leave as the simulated minutes pass;
with ``"instant"`` it ended just now and its events leave at once, with their ``event_ts`` in
the simulated past. ``playback.py`` applies the switches and sends.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..common import ControlError, iso_z
from ..seeds.custom import FIRST_USER_ID, _custom_registrant, custom_instance_add
from ..seeds.ids import zoom_uuid
from ..world import World
from ..zoom.models import IN_MEETING, WAITING_ROOM, Webinar
from . import zoom_events

KEYS = {"uuid", "registrations", "cancellations", "joins", "waiting_room", "speed",
        "duplicate_rate", "shuffle", "delay_ms", "drop_rate", "seed"}


def _rate(body: dict, key: str) -> float:
    value = body.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ControlError(400, f"'{key}' must be a number from 0 to 1")
    return float(value)


def _cycles(body: dict, key: str) -> list[tuple[str, float, float]]:
    out = []
    for i, item in enumerate(body.get(key) or []):
        ok = (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
              and all(isinstance(m, int | float) and not isinstance(m, bool) and m >= 0
                      for m in item[1:]) and item[1] <= item[2])
        if not ok:
            raise ControlError(400, f"{key}[{i}] must be [email, minute_in, minute_out] "
                                    "with 0 <= minute_in <= minute_out")
        out.append((item[0], float(item[1]), float(item[2])))
    return out


def options(body: dict) -> dict:
    unknown = sorted(set(body) - KEYS)
    if unknown:
        raise ControlError(400, f"unknown key(s): {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(KEYS))}")
    speed = body.get("speed", "instant")
    if speed != "instant" and (isinstance(speed, bool) or not isinstance(speed, int | float)
                               or speed <= 0):
        raise ControlError(400, "'speed' is simulated seconds per real second (> 0) or "
                                "\"instant\"")
    delay_ms = body.get("delay_ms", 0)
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int | float) or delay_ms < 0:
        raise ControlError(400, "'delay_ms' must be a number of milliseconds >= 0")
    if not isinstance(body.get("shuffle", False), bool):
        raise ControlError(400, "'shuffle' must be true or false")
    for key in ("registrations", "cancellations"):
        if not isinstance(body.get(key) or [], list):
            raise ControlError(400, f"'{key}' must be a list")
    return {"speed": None if speed == "instant" else float(speed),
            "delay_s": delay_ms / 1000.0, "shuffle": body.get("shuffle", False),
            "drop_rate": _rate(body, "drop_rate"),
            "duplicate_rate": _rate(body, "duplicate_rate"),
            "joins": _cycles(body, "joins"), "waiting": _cycles(body, "waiting_room")}


def _row(w: Webinar, email: str, start: datetime, a: float, b: float, status: str) -> dict:
    row = {"join_time": iso_z(start + timedelta(minutes=a)),
           "leave_time": iso_z(start + timedelta(minutes=b)), "status": status}
    if email.strip().lower() in w.reg_by_email:
        row["registrant_email"] = email
    else:
        row.update(user_email=email, name=email.split("@")[0])
    return row


def play_out(world: World, w: Webinar, body: dict, opts: dict) -> tuple[dict, list]:
    """Changes the world; returns (summary, [(simulated time, event body)] in time order).
    Call with the world's lock held."""
    rng = random.Random(body.get("seed"))
    ends = [b for _e, _a, b in opts["joins"] + opts["waiting"]]
    length = max(ends) if ends else float(w.duration)
    # Zoom's times are whole seconds: the rows' times must not come before the start
    now = world.now().replace(microsecond=0)
    start = now if opts["speed"] else now - timedelta(minutes=length)
    end = start + timedelta(minutes=length)
    uuid = body.get("uuid") or zoom_uuid(rng)
    if not isinstance(uuid, str) or uuid in world.instances_by_uuid:
        raise ControlError(400, f"'uuid' must be a new session's UUID, got {uuid!r}")
    timeline = []
    approval = w.settings.get("approval_type", 0)
    for j, r in enumerate(body.get("registrations") or []):
        if isinstance(r, dict):
            r = {"status": "approved" if approval == 0 else "pending",
                 "create_time": iso_z(start), **r}
        try:
            _custom_registrant(world, rng, w, r, j, f"registrations[{j}]")
        except ValueError as exc:
            raise ControlError(400, str(exc)) from exc
        reg = w.reg_by_email[r["email"].strip().lower()]
        timeline.append((start, zoom_events.registration(
            world, w, reg, "webinar.registration_created", start)))
    for email in body.get("cancellations") or []:
        reg = w.reg_by_email.get(str(email).strip().lower())
        if reg is None:
            raise ControlError(400, f"cancellations: {email!r} is not a registrant")
        world.set_registrant_status(w, reg, "cancelled")
        timeline.append((start, zoom_events.registration(
            world, w, reg, "webinar.registration_cancelled", start)))
    rows = [_row(w, e, start, a, b, IN_MEETING) for e, a, b in opts["joins"]]
    rows += [_row(w, e, start, a, b, WAITING_ROOM) for e, a, b in opts["waiting"]]
    first_user = FIRST_USER_ID + 100_000 * (len(w.instances) + 1)
    try:
        inst = custom_instance_add(world, w, {"uuid": uuid, "start_time": iso_z(start),
                                              "end_time": iso_z(end), "participants": rows},
                                   first_user)
    except (KeyError, TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from exc
    session = zoom_events.session_object(world, w, uuid, start)
    timeline.append((start, zoom_events.body("webinar.started", start, {"object": session})))
    for row in inst.participants:
        if row.status != IN_MEETING:
            continue  # the waiting room has no webinar webhooks; it is in the reports
        timeline.append((row.join_time, zoom_events.participant(
            world, w, uuid, start, row, True, row.join_time)))
        timeline.append((row.leave_time, zoom_events.participant(
            world, w, uuid, start, row, False, row.leave_time)))
    ended = {**session, "end_time": iso_z(end), "practice_session": False}
    timeline.append((end, zoom_events.body("webinar.ended", end, {"object": ended})))
    # stable: at one moment, registrations, start, joins, leaves, end keep this order
    timeline.sort(key=lambda item: item[0])
    summary = {"uuid": uuid, "start_time": iso_z(start), "end_time": iso_z(end),
               "participants": len(inst.participants)}
    return summary, timeline
