"""HubSpot marketing events, keyed by (external account id, external event id): create or
update, batch upsert, read (with attendance counts) and complete."""

from __future__ import annotations

from ..common import HubSpotError, Reply, iso_ms, parse_iso
from ..world import World
from .batch import batch_inputs, batch_times, object_body, validation_error
from .models import MarketingEvent


def event_json(ev: MarketingEvent, *, read: bool = False) -> dict:
    data = {
        "id": ev.object_id,
        "objectId": ev.object_id,
        "externalEventId": ev.external_event_id,
        "externalAccountId": ev.external_account_id,
        "eventName": ev.event_name,
        "eventType": ev.event_type,
        "eventOrganizer": ev.event_organizer,
        "eventDescription": ev.event_description,
        "eventUrl": ev.event_url,
        "startDateTime": iso_ms(ev.start),
        "endDateTime": iso_ms(ev.end),
        "eventCancelled": ev.cancelled,
        "eventCompleted": ev.completed,
        "customProperties": [dict(p) for p in ev.custom_properties],
        "createdAt": iso_ms(ev.created_at),
        "updatedAt": iso_ms(ev.updated_at),
    }
    if read:
        states: dict[str, set] = {}
        for rec in ev.attendance:
            states.setdefault(rec["email"], set()).add(rec["state"])
        registered = sum(1 for s in states.values() if "register" in s or "attend" in s)
        attended = sum(1 for s in states.values() if "attend" in s)
        cancelled = sum(1 for s in states.values() if "cancel" in s)
        data.update({
            "registrants": registered,
            "attendees": attended,
            "cancellations": cancelled,
            "noShows": max(0, registered - attended - cancelled) if ev.completed else 0,
        })
    return data


def _event_input(data, path_id: str | None = None) -> dict:
    if not isinstance(data, dict):
        raise validation_error("Each marketing event must be a JSON object.")
    missing = [k for k in ("externalAccountId", "externalEventId", "eventName",
                           "eventOrganizer")
               if not isinstance(data.get(k), str) or not data.get(k).strip()]
    if missing:
        raise validation_error(f"Missing required field(s): {', '.join(missing)}.")
    if path_id is not None and data["externalEventId"] != path_id:
        raise validation_error(f"externalEventId in the body ({data['externalEventId']}) does not "
                               f"match the path ({path_id}).")
    clean = {k: data[k] for k in ("externalAccountId", "externalEventId", "eventName",
                                  "eventOrganizer")}
    for key in ("startDateTime", "endDateTime"):
        if data.get(key) is not None:
            dt = parse_iso(data[key])
            if dt is None:
                raise validation_error(f"'{key}' is not a valid date-time: {data[key]!r}.")
            clean[key] = dt
    for key in ("eventType", "eventUrl", "eventDescription"):
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                raise validation_error(f"'{key}' must be a string.")
            clean[key] = data[key]
    for key in ("eventCancelled", "eventCompleted"):
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                raise validation_error(f"'{key}' must be a boolean.")
            clean[key] = data[key]
    custom = data.get("customProperties")
    if custom is not None:
        if not isinstance(custom, list) or not all(isinstance(p, dict) for p in custom):
            raise validation_error("'customProperties' must be a list of objects.")
        clean["customProperties"] = custom
    return clean


def _apply_event(world: World, clean: dict) -> MarketingEvent:
    key = (clean["externalAccountId"], clean["externalEventId"])
    ev = world.marketing_events.get(key)
    now = world.now()
    if ev is None:
        ev = MarketingEvent(object_id=world.next_event_object_id(),
                            external_account_id=key[0], external_event_id=key[1],
                            created_at=now)
        world.marketing_events[key] = ev
    ev.event_name = clean["eventName"]
    ev.event_organizer = clean["eventOrganizer"]
    ev.event_type = clean.get("eventType", ev.event_type)
    ev.event_url = clean.get("eventUrl", ev.event_url)
    ev.event_description = clean.get("eventDescription", ev.event_description)
    ev.start = clean.get("startDateTime", ev.start)
    ev.end = clean.get("endDateTime", ev.end)
    ev.cancelled = clean.get("eventCancelled", ev.cancelled)
    ev.completed = clean.get("eventCompleted", ev.completed)
    if "customProperties" in clean:
        ev.custom_properties = [dict(p) for p in clean["customProperties"]]
    ev.updated_at = now
    return ev


def account_param(req) -> str:
    account = req.query.get("externalAccountId") or ""
    if not account:
        raise validation_error("The query parameter 'externalAccountId' is required.")
    return account


def event_or_404(world: World, account: str, external_id: str) -> MarketingEvent:
    ev = world.marketing_events.get((account, external_id))
    if ev is None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND",
                           f"No marketing event found for externalAccountId={account} and "
                           f"externalEventId={external_id}.")
    return ev


def put_event(req) -> Reply:
    world: World = req.world
    clean = _event_input(object_body(req), req.params["externalEventId"])
    with world.lock:
        return Reply(200, event_json(_apply_event(world, clean)))


def upsert_events(req) -> Reply:
    world: World = req.world
    started = world.now()
    inputs = batch_inputs(object_body(req))
    cleaned = [_event_input(item) for item in inputs]
    with world.lock:
        results = [event_json(_apply_event(world, c)) for c in cleaned]
    return Reply(200, {"status": "COMPLETE", "results": results, **batch_times(world, started)})


def get_event(req) -> Reply:
    world: World = req.world
    account = account_param(req)
    with world.lock:
        ev = event_or_404(world, account, req.params["externalEventId"])
        return Reply(200, event_json(ev, read=True))


def complete_event(req) -> Reply:
    world: World = req.world
    account = account_param(req)
    body = object_body(req)
    times = {}
    for key in ("startDateTime", "endDateTime"):
        dt = parse_iso(body.get(key))
        if dt is None:
            raise validation_error(f"'{key}' is required and must be a date-time.")
        times[key] = dt
    with world.lock:
        ev = event_or_404(world, account, req.params["externalEventId"])
        ev.start, ev.end = times["startDateTime"], times["endDateTime"]
        ev.completed = True
        ev.updated_at = world.now()
        return Reply(200, event_json(ev))
