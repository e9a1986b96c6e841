"""HubSpot marketing events, keyed by (external account id, external event id): create or
update, batch upsert, read (with attendance counts), complete and cancel.

Each answer carries exactly the fields HubSpot's spec gives its response type: the event as
created or updated (``id``, ``objectId``, created and updated times), as read (plus its
``externalEventId`` and counters) and as completed or cancelled (neither ids nor times). A
date-time the event does not have is left out rather than sent as null. Custom properties are
kept only when they are defined on the marketing-event object (HubSpot filters out the others)
and are shown as HubSpot's ``PropertyValue`` objects.
"""

from __future__ import annotations

from ..common import HubSpotError, Reply, epoch_ms, iso_ms, parse_iso
from ..world import World
from .batch import batch_inputs, batch_times, object_body, validation_error
from .models import MarketingEvent

_OPTIONAL_TEXT = ("eventType", "eventUrl", "eventDescription")


def _property_value(name: str, value: str, set_at_ms: int) -> dict:
    """One custom property as HubSpot's PropertyValue: every field its spec requires."""
    return {
        "name": name, "value": value, "timestamp": set_at_ms, "source": "API",
        "sourceId": "", "sourceLabel": "", "sourceMetadata": "",
        "sourceUpstreamDeployable": "", "sourceVid": [], "requestId": "",
        "dataSensitivity": "none", "isEncrypted": False, "isLargeValue": False,
        "maskedSubstrings": {"substrings": []}, "persistenceTimestamp": set_at_ms,
        "selectedByUser": False, "selectedByUserTimestamp": 0, "unit": "",
        "updatedByUserId": 0, "useTimestampAsPersistenceTimestamp": True,
    }


def _details(ev: MarketingEvent) -> dict:
    """The fields every response type shares."""
    data = {
        "objectId": ev.object_id,
        "eventName": ev.event_name,
        "eventOrganizer": ev.event_organizer,
        "eventCancelled": ev.cancelled,
        "eventCompleted": ev.completed,
        "customProperties": [_property_value(name, value, at)
                             for name, (value, at) in ev.custom_properties.items()],
    }
    for key, value in (("eventType", ev.event_type), ("eventUrl", ev.event_url),
                       ("eventDescription", ev.event_description),
                       ("startDateTime", iso_ms(ev.start)), ("endDateTime", iso_ms(ev.end))):
        if value is not None:
            data[key] = value
    return data


def event_json(ev: MarketingEvent) -> dict:
    """MarketingEventPublicDefaultResponse: the event as created or updated."""
    return {"id": ev.object_id, **_details(ev), "createdAt": iso_ms(ev.created_at),
            "updatedAt": iso_ms(ev.updated_at)}


def event_read_json(ev: MarketingEvent) -> dict:
    """MarketingEventPublicReadResponse: the event as read, with its attendance counters."""
    states: dict[str, set] = {}
    for rec in ev.attendance:
        states.setdefault(rec["email"], set()).add(rec["state"])
    registered = sum(1 for s in states.values() if "register" in s or "attend" in s)
    attended = sum(1 for s in states.values() if "attend" in s)
    cancelled = sum(1 for s in states.values() if "cancel" in s)
    return {
        **event_json(ev),
        "externalEventId": ev.external_event_id,
        "registrants": registered,
        "attendees": attended,
        "cancellations": cancelled,
        "noShows": max(0, registered - attended - cancelled) if ev.completed else 0,
    }


def _custom_properties(value) -> dict[str, str]:
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise validation_error("'customProperties' must be a list of objects.")
    custom = {}
    for i, prop in enumerate(value):
        name, text = prop.get("name"), prop.get("value")
        if not isinstance(name, str) or not name or not isinstance(text, str):
            raise validation_error(f"customProperties[{i}] needs a string 'name' and 'value'.")
        custom[name] = text
    return custom


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
    for key in _OPTIONAL_TEXT:
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                raise validation_error(f"'{key}' must be a string.")
            clean[key] = data[key]
    for key in ("eventCancelled", "eventCompleted"):
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                raise validation_error(f"'{key}' must be a boolean.")
            clean[key] = data[key]
    if data.get("customProperties") is not None:
        clean["customProperties"] = _custom_properties(data["customProperties"])
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
    for name, value in clean.get("customProperties", {}).items():
        # HubSpot keeps only properties defined on the marketing-event object
        if name in world.event_properties:
            kept = ev.custom_properties.get(name)
            if kept is None or kept[0] != value:
                ev.custom_properties[name] = (value, epoch_ms(now))
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
        return Reply(200, event_read_json(ev))


def attended_seconds(ev: MarketingEvent) -> dict[str, int]:
    """What completing an event works out: per contact, the seconds between joinedAt and
    leftAt of each of its attend records, added up (so a record sent twice counts twice)."""
    seconds: dict[str, int] = {}
    for rec in ev.attendance:
        if rec["state"] != "attend":
            continue
        joined, left = _moment(rec.get("joinedAt")), _moment(rec.get("leftAt"))
        if joined is None or left is None:
            continue
        span = max(0, int((left - joined).total_seconds()))
        seconds[rec["contactId"]] = seconds.get(rec["contactId"], 0) + span
    return seconds


def _moment(value):
    """joinedAt / leftAt as sent: an ISO-8601 string or epoch milliseconds in a string."""
    if isinstance(value, str) and value.strip().isdigit():
        return parse_iso(int(value.strip()))
    return parse_iso(value)


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
        # HubSpot works out attendance durations (and no-shows) when an event is completed
        ev.durations = attended_seconds(ev)
        ev.updated_at = world.now()
        return Reply(200, _details(ev))


def cancel_event(req) -> Reply:
    """``POST .../events/{externalEventId}/cancel?externalAccountId=``: no body; the event is
    marked cancelled and keeps its attendance records."""
    world: World = req.world
    account = account_param(req)
    with world.lock:
        ev = event_or_404(world, account, req.params["externalEventId"])
        ev.cancelled = True
        ev.updated_at = world.now()
        return Reply(200, _details(ev))
