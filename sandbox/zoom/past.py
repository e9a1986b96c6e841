"""Held webinar sessions: ``/past_webinars/{id}/instances`` and their participant rows.

A session whose report is not ready yet is listed, but its report and participants answer
404 with Zoom's documented error for them (code 3001); while its durations are being computed
its rows come without a leave time and with a zero duration.

A host who restarts a session gives it a second uuid: the instance list then has two entries,
each with its own report and participant rows. Time in the waiting room is a row of its own
with ``status: in_waiting_room`` (the in-meeting row starts when the host admits the person).
Zoom documents ``registrant_id`` on these rows only when ``include_fields=registrant_id`` is
passed, which this endpoint does not accept, so it never carries one: the report's participant
listing (``reports.report_participants``) is the one that does.
"""

from __future__ import annotations

from ..common import Reply, ZoomError, iso_z
from ..world import World
from .paging import paginate


def resolve_instance(world: World, ref: str, *, not_found: str | None = None):
    """A past instance from a numeric webinar id (latest ended instance) or an instance uuid,
    whose report is ready."""
    msg = not_found or f"Webinar does not exist: {ref}."
    if ref.isdigit():
        w = world.webinars.get(int(ref))
        inst = w.instances[-1] if w is not None and w.instances else None
    else:
        inst = world.instances_by_uuid.get(ref)
        w = world.webinars[inst.webinar_id] if inst is not None else None
    if inst is None or not inst.report_ready:
        raise ZoomError(404, 3001, msg)
    return w, inst


def participant_json(p, *, computed: bool = True) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "user_id": p.user_id,
        "user_email": p.user_email,
        "join_time": iso_z(p.join_time),
        "leave_time": iso_z(p.leave_time) if computed else "",
        "duration": p.duration if computed else 0,
        "failover": p.failover,
        "status": p.status,
        "internal_user": p.internal_user,
    }


def past_instances(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        if ref.isdigit():
            w = world.webinars.get(int(ref))
        else:
            inst = world.instances_by_uuid.get(ref)
            w = world.webinars.get(inst.webinar_id) if inst else None
        if w is None:
            raise ZoomError(404, 3001, f"Webinar does not exist: {ref}.")
        return Reply(200, {"webinars": [
            {"uuid": i.uuid, "start_time": iso_z(i.start_time)} for i in w.instances
        ]})


def past_participants(req) -> Reply:
    world: World = req.world
    with world.lock:
        _w, inst = resolve_instance(world, req.params["webinarId"])
        items, env = paginate(req, ("participants", inst.uuid), inst.participants)
        env["participants"] = [participant_json(p, computed=inst.durations_computed)
                               for p in items]
    return Reply(200, env)
