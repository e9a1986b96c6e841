"""A marketing event's participations breakdown: what HubSpot has recorded for each contact.

``GET /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}/
breakdown`` lists one participation per contact and state it has been recorded in — ``REGISTERED``,
``ATTENDED``, ``CANCELLED`` — and, once the event is completed, ``NO_SHOW`` for each registered
contact who neither attended nor cancelled. Records sent twice for the same contact and state
are one participation here (the raw records, duplicates included, are in ``/_sandbox/state``).

An ``ATTENDED`` participation carries what completing the event worked out: the seconds
between joinedAt and leftAt of the contact's attend records, and that as a percentage of the
event's start→end length (as a string, like HubSpot). Until the event is completed, and for
attend records sent after its last completion, there are no figures.

Query: ``state``, ``contactIdentifier`` (e-mail or contact id), ``limit`` (default 10, at most
100) and ``after`` (the cursor of ``paging.next``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..common import Reply, epoch_ms, iso_ms
from ..world import World
from .batch import validation_error
from .events import event_or_404
from .models import MarketingEvent

STATE_NAMES = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}
BREAKDOWN_STATES = ("REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW")


def _participations(world: World, ev: MarketingEvent) -> list[tuple[str, str, dict]]:
    """(contact id, state, first record) per participation, in the order they were made."""
    first: dict[tuple[str, str], dict] = {}
    for rec in ev.attendance:
        first.setdefault((rec["contactId"], STATE_NAMES[rec["state"]]), rec)
    found = [(contact_id, state, rec) for (contact_id, state), rec in first.items()]
    if ev.completed:
        for contact_id, state, rec in list(found):
            if state == "REGISTERED" and (contact_id, "ATTENDED") not in first \
                    and (contact_id, "CANCELLED") not in first:
                found.append((contact_id, "NO_SHOW", rec))
    return found


def _properties(ev: MarketingEvent, contact_id: str, state: str, rec: dict) -> dict:
    occurred = rec["interactionDateTime"]
    if state == "NO_SHOW" and ev.end is not None:
        occurred = epoch_ms(ev.end)
    props = {"attendanceState": state, "occurredAt": occurred}
    if state == "ATTENDED" and ev.durations is not None and contact_id in ev.durations:
        seconds = ev.durations[contact_id]
        props["attendanceDurationSeconds"] = seconds
        length = (ev.end - ev.start).total_seconds() if ev.start and ev.end else 0
        if length > 0:
            props["attendancePercentage"] = f"{seconds / length * 100:.2f}"
    return props


def _contact(world: World, contact_id: str, fallback_email: str) -> dict:
    contact = world.contacts.get(int(contact_id))
    props = contact.properties if contact is not None else {}
    data = {"contactId": contact_id, "email": props.get("email") or fallback_email}
    for name in ("firstname", "lastname"):
        if props.get(name):
            data[name] = props[name]
    return data


def _int_param(req, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name)
    try:
        value = default if raw in (None, "") else int(raw)
    except ValueError:
        raise validation_error(f"'{name}' must be an integer.") from None
    if not low <= value <= high:
        raise validation_error(f"'{name}' must be between {low} and {high}, got {value}.")
    return value


def participations_breakdown(req) -> Reply:
    world: World = req.world
    account, external_id = req.params["externalAccountId"], req.params["externalEventId"]
    state = (req.query.get("state") or "").upper()
    if state and state not in BREAKDOWN_STATES:
        raise validation_error(f"Invalid state '{req.query['state']}': expected one of "
                               f"{', '.join(BREAKDOWN_STATES)}.")
    who = (req.query.get("contactIdentifier") or "").strip().lower()
    limit = _int_param(req, "limit", 10, 1, 100)
    after = _int_param(req, "after", 0, 0, 10**9)
    with world.lock:
        ev = event_or_404(world, account, external_id)
        rows = []
        for contact_id, row_state, rec in _participations(world, ev):
            if state and row_state != state:
                continue
            contact = _contact(world, contact_id, rec["email"])
            if who and who not in (contact_id, contact["email"].lower()):
                continue
            rows.append((contact_id, row_state, rec, contact))
        page = rows[after:after + limit]
        results = [{
            "id": f"{ev.object_id}-{contact_id}-{row_state.lower()}",
            "createdAt": iso_ms(rec["recordedAt"]),
            "associations": {
                "contact": contact,
                "marketingEvent": {"marketingEventId": ev.object_id, "name": ev.event_name,
                                   "externalAccountId": ev.external_account_id,
                                   "externalEventId": ev.external_event_id},
            },
            "properties": _properties(ev, contact_id, row_state, rec),
        } for contact_id, row_state, rec, contact in page]
    body = {"total": len(rows), "results": results}
    if after + limit < len(rows):
        cursor = str(after + limit)
        query = {k: v for k, v in req.query.items() if k != "after"}
        body["paging"] = {"next": {"after": cursor, "link": (
            f"{world.base_url}/hubspot{req.path}?{urlencode({**query, 'after': cursor})}")}}
    return Reply(200, body)
