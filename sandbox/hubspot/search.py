"""``POST /crm/v3/objects/contacts/search``: filter groups (OR) of filters (AND) on contact
properties, pages of at most 200 with the cursor ``after``, as HubSpot's CRM search does.

Operators: ``EQ``, ``NEQ``, ``IN``, ``NOT_IN``, ``CONTAINS_TOKEN``, ``HAS_PROPERTY``,
``NOT_HAS_PROPERTY``. Strings compare without regard to case. ``hs_additional_emails`` holds a
contact's secondary e-mails separated by ``;``, and a filter on it matches each address: a
secondary address is found, though batch read and upsert by ``email`` never find it.
"""

from __future__ import annotations

from ..common import Reply
from ..world import World
from .batch import object_body, validation_error
from .contacts import DEFAULT_READ_PROPERTIES, contact_json

MAX_GROUPS, MAX_FILTERS, MAX_PER_GROUP, MAX_LIMIT = 5, 25, 10, 200
MULTI_VALUED = {"hs_additional_emails"}


def _values(contact, name: str) -> list[str]:
    value = contact.value(name)
    if value in (None, ""):
        return []
    if name in MULTI_VALUED:
        return [v.strip().lower() for v in str(value).split(";") if v.strip()]
    return [str(value).lower()]


def _matches(contact, flt: dict) -> bool:
    name, op = flt.get("propertyName"), flt.get("operator") or "EQ"
    have = _values(contact, name)
    if op == "HAS_PROPERTY":
        return bool(have)
    if op == "NOT_HAS_PROPERTY":
        return not have
    if op in ("IN", "NOT_IN"):
        wanted = {str(v).lower() for v in flt.get("values") or []}
        found = any(v in wanted for v in have)
        return found if op == "IN" else not found
    value = str(flt.get("value", "")).lower()
    if op == "EQ":
        return value in have
    if op == "NEQ":
        return value not in have
    if op == "CONTAINS_TOKEN":
        return any(value in v.replace("@", " ").replace(".", " ").split() or value == v
                   for v in have)
    raise validation_error(f"Unsupported operator {op!r}.")


def _groups(body: dict) -> list[list[dict]]:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise validation_error(f"At most {MAX_GROUPS} filterGroups are allowed.")
    out, total = [], 0
    for group in groups:
        filters = (group or {}).get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_PER_GROUP:
            raise validation_error(f"Each filterGroup takes 1 to {MAX_PER_GROUP} filters.")
        for flt in filters:
            if not isinstance(flt, dict) or not isinstance(flt.get("propertyName"), str):
                raise validation_error("Each filter needs a propertyName.")
            if flt.get("operator") in ("IN", "NOT_IN") and not isinstance(flt.get("values"),
                                                                          list):
                raise validation_error("IN and NOT_IN filters take a list of values.")
        total += len(filters)
        out.append(filters)
    if total > MAX_FILTERS:
        raise validation_error(f"At most {MAX_FILTERS} filters are allowed.")
    return out


def search_contacts(req) -> Reply:
    world: World = req.world
    body = object_body(req)
    groups = _groups(body)
    try:
        limit = int(body.get("limit") or 10)
        after = int(body.get("after") or 0)
    except (TypeError, ValueError):
        raise validation_error("limit and after must be integers.") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {MAX_LIMIT}, got {limit}.")
    props = body.get("properties") or list(DEFAULT_READ_PROPERTIES)
    with world.lock:
        hits = [c for _, c in sorted(world.contacts.items())
                if not groups or any(all(_matches(c, f) for f in g) for g in groups)]
        page = hits[after:after + limit]
        names = [p for p in dict.fromkeys([*props, "hs_object_id", "createdate",
                                            "lastmodifieddate"])]
        answer = {"total": len(hits), "results": [contact_json(c, names) for c in page]}
    if after + limit < len(hits):
        answer["paging"] = {"next": {"after": str(after + limit)}}
    return Reply(200, answer)
