"""The control API under ``/_sandbox/``: reset, seed, state, calls, credentials, limits, faults."""

from __future__ import annotations

from .common import ControlError, Reply, iso_ms, iso_z
from .seeds import SCENARIOS, apply_seed
from .world import DEFAULT_PROPERTY_NAMES, World, credentials


def reset(req) -> Reply:
    """Empty world, no limits (default token lifetimes), no faults. Seeding keeps the last two."""
    req.world.reset()
    req.world.limits.clear()
    req.world.faults.clear()
    return Reply(200, {"ok": True})


def _object_body(req) -> dict:
    body = req.json()
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def get_limits(req) -> Reply:
    return Reply(200, req.world.limits.as_dict())


def post_limits(req) -> Reply:
    try:
        req.world.limits.update(_object_body(req))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, req.world.limits.as_dict())


def get_faults(req) -> Reply:
    return Reply(200, req.world.faults.as_dict())


def post_faults(req) -> Reply:
    try:
        req.world.faults.configure(_object_body(req))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, req.world.faults.as_dict())


def seed(req) -> Reply:
    params = dict(_object_body(req))
    scenario = params.pop("scenario", None)
    if scenario is None and not params:
        raise ControlError(400, f"give a 'scenario' ({', '.join(SCENARIOS)}) or bench sizes")
    try:
        result = apply_seed(req.world, scenario, **params)
    except (TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, result)


def hubspot_state(world: World) -> dict:
    contacts = []
    for c in sorted(world.contacts.values(), key=lambda c: c.id):
        props = dict(c.properties)
        for k in ("hs_object_id", "createdate", "lastmodifieddate"):
            props[k] = c.value(k)
        contacts.append({"id": str(c.id), "properties": props})
    events = []
    for ev in world.marketing_events.values():
        events.append({
            "objectId": ev.object_id,
            "externalEventId": ev.external_event_id,
            "externalAccountId": ev.external_account_id,
            "eventName": ev.event_name,
            "eventType": ev.event_type,
            "eventOrganizer": ev.event_organizer,
            "eventUrl": ev.event_url,
            "eventCompleted": ev.completed,
            "eventCancelled": ev.cancelled,
            "startDateTime": iso_ms(ev.start),
            "endDateTime": iso_ms(ev.end),
            "customProperties": [dict(p) for p in ev.custom_properties],
            "attendance": [
                {"email": a["email"], "state": a["state"], "joinedAt": a["joinedAt"],
                 "leftAt": a["leftAt"], "interactionDateTime": a["interactionDateTime"],
                 "properties": dict(a["properties"]), "contactId": a["contactId"]}
                for a in ev.attendance
            ],
        })
    return {
        "contacts": contacts,
        "marketing_events": events,
        "property_groups": list(world.property_groups),
        "properties": [n for n in world.properties if n not in DEFAULT_PROPERTY_NAMES],
    }


def zoom_state(world: World) -> dict:
    webinars = []
    for w in world.webinars.values():
        webinars.append({
            "id": w.id,
            "uuid": w.uuid,
            "host_id": w.host_id,
            "topic": w.topic,
            "type": w.type,
            "start_time": iso_z(w.start_time),
            "duration": w.duration,
            "occurrences": [{"occurrence_id": o["occurrence_id"],
                             "start_time": iso_z(o["start_time"])} for o in w.occurrences],
            "registrants": [
                {"id": r.id, "email": r.email, "first_name": r.first_name,
                 "last_name": r.last_name, "status": r.status,
                 "create_time": iso_z(r.create_time)}
                for r in w.registrants
            ],
            "instances": [
                {"uuid": i.uuid, "start_time": iso_z(i.start_time),
                 "end_time": iso_z(i.end_time), "occurrence_id": i.occurrence_id,
                 "participants": [
                     {"id": p.id, "registrant_id": p.registrant_id,
                      "user_email": p.user_email, "name": p.name,
                      "join_time": iso_z(p.join_time), "leave_time": iso_z(p.leave_time),
                      "duration": p.duration, "internal_user": p.internal_user}
                     for p in i.participants
                 ]}
                for i in w.instances
            ],
        })
    return {
        "users": [{"id": u.id, "email": u.email} for u in world.users],
        "webinars": webinars,
    }


def state(req) -> Reply:
    world: World = req.world
    section = req.query.get("section") or ""
    if section not in ("", "hubspot", "zoom"):
        raise ControlError(400, "section must be 'hubspot' or 'zoom'")
    with world.lock:
        data = {}
        if section in ("", "hubspot"):
            data["hubspot"] = hubspot_state(world)
        if section in ("", "zoom"):
            data["zoom"] = zoom_state(world)
    return Reply(200, data)


def calls(req) -> Reply:
    world: World = req.world
    with world.lock:
        return Reply(200, {
            "total": world.calls_total,
            "rate_limited": world.calls_rate_limited,
            "by_endpoint": dict(sorted(world.calls.items())),
            "rate_limited_by_endpoint": dict(sorted(world.calls_rate_limited_by.items())),
            "by_status": dict(sorted(world.calls_by_status.items())),
            "faults": dict(world.fault_counts),
        })


def calls_reset(req) -> Reply:
    req.world.reset_calls()
    return Reply(200, {"ok": True})


def get_credentials(req) -> Reply:
    return Reply(200, credentials())


def health(req) -> Reply:
    return Reply(200, {"ok": True, "url": req.world.base_url})


ROUTES = [
    ("POST", "/reset", reset, False),
    ("POST", "/seed", seed, False),
    ("GET", "/state", state, False),
    ("GET", "/calls", calls, False),
    ("POST", "/calls/reset", calls_reset, False),
    ("GET", "/credentials", get_credentials, False),
    ("GET", "/health", health, False),
    ("GET", "/limits", get_limits, False),
    ("POST", "/limits", post_limits, False),
    ("GET", "/faults", get_faults, False),
    ("POST", "/faults", post_faults, False),
]
