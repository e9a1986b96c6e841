"""``GET /_sandbox/state``: what HubSpot and Zoom hold, as plain JSON for assertions."""

from __future__ import annotations

from ..common import ControlError, Reply, iso_ms, iso_z
from ..hubspot.models import DEFAULT_PROPERTY_NAMES
from ..world import World
from .hubspot import execution_json, form_json


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
            "customProperties": {name: value
                                 for name, (value, _at) in ev.custom_properties.items()},
            "attendance": [
                {"email": a["email"], "state": a["state"], "joinedAt": a["joinedAt"],
                 "leftAt": a["leftAt"], "interactionDateTime": a["interactionDateTime"],
                 "properties": dict(a["properties"]), "contactId": a["contactId"],
                 "recordedAt": iso_ms(a["recordedAt"])}
                for a in ev.attendance
            ],
        })
    return {
        "contacts": contacts,
        "marketing_events": events,
        "property_groups": list(world.property_groups),
        "properties": [n for n in world.properties if n not in DEFAULT_PROPERTY_NAMES],
        "marketing_event_properties": list(world.event_properties),
        "forms": [form_json(f) for f in world.forms.values()],
        "workflow_action_definitions": [dict(d) for d in world.action_definitions.values()],
        "workflow_action_executions": [execution_json(r)
                                       for r in world.workflow_executions.values()],
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
            "timezone": w.timezone,
            "deleted_at": iso_z(w.deleted_at) if w.deleted_at else None,
            "occurrences": [{"occurrence_id": o["occurrence_id"],
                             "start_time": iso_z(o["start_time"]), "duration": o["duration"],
                             "status": o.get("status", "available")} for o in w.occurrences],
            "registrants": [
                {"id": r.id, "email": r.email, "first_name": r.first_name,
                 "last_name": r.last_name, "status": r.status,
                 "create_time": iso_z(r.create_time), "occurrence_ids": r.occurrence_ids}
                for r in w.registrants
            ],
            "panelists": [{"id": p.id, "email": p.email, "name": p.name} for p in w.panelists],
            "instances": [
                {"uuid": i.uuid, "start_time": iso_z(i.start_time),
                 "end_time": iso_z(i.end_time), "occurrence_id": i.occurrence_id,
                 "report_ready": i.report_ready, "durations_computed": i.durations_computed,
                 "participants": [
                     {"id": p.id, "registrant_id": p.registrant_id,
                      "user_email": p.user_email, "name": p.name,
                      "join_time": iso_z(p.join_time), "leave_time": iso_z(p.leave_time),
                      "duration": p.duration, "status": p.status,
                      "internal_user": p.internal_user}
                     for p in i.participants
                 ]}
                for i in w.instances
            ],
        })
    return {
        "users": [{"id": u.id, "email": u.email} for u in world.users],
        "webinars": webinars,
        "meetings": [meeting_state(m) for m in world.meetings.values()],
    }


def meeting_state(m) -> dict:
    return {
        "id": m.id,
        "uuid": m.uuid,
        "host_id": m.host_id,
        "topic": m.topic,
        "type": m.type,
        "start_time": iso_z(m.start_time),
        "duration": m.duration,
        "timezone": m.timezone,
        "agenda": m.agenda,
        "password": m.password,
        "status": m.status,
        "settings": dict(m.settings),
        "created_at": iso_z(m.created_at),
        "deleted_at": iso_z(m.deleted_at) if m.deleted_at else None,
        "instances": [
            {"uuid": i.uuid, "start_time": iso_z(i.start_time), "end_time": iso_z(i.end_time),
             "participants": [
                 {"id": p.id, "user_id": p.user_id, "name": p.name,
                  "user_email": p.user_email, "join_time": iso_z(p.join_time),
                  "leave_time": iso_z(p.leave_time), "duration": p.duration,
                  "status": p.status}
                 for p in i.participants
             ]}
            for i in m.instances
        ],
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
