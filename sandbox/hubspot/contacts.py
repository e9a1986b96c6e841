"""HubSpot contacts: the paged listing, batch read (by id or e-mail) and batch upsert by
e-mail."""

from __future__ import annotations

from ..common import Reply, iso_ms
from ..world import World
from .batch import (
    batch_error,
    batch_inputs,
    batch_reply,
    email_is_malformed,
    injected_failures,
    object_body,
    partial_errors,
    validation_error,
)
from .properties import normalize_value, properties_error

DEFAULT_READ_PROPERTIES = ("createdate", "email", "firstname", "hs_object_id",
                           "lastmodifieddate", "lastname")


def contact_json(contact, props: list[str] | None = None) -> dict:
    if props is None:
        properties = dict(contact.properties)
        for k in ("hs_object_id", "createdate", "lastmodifieddate"):
            properties[k] = contact.value(k)
    else:
        properties = {k: contact.value(k) for k in props}
    return {
        "id": str(contact.id),
        "properties": properties,
        "createdAt": iso_ms(contact.created_at),
        "updatedAt": iso_ms(contact.updated_at),
        "archived": False,
    }


def list_contacts(req) -> Reply:
    """GET /crm/v3/objects/contacts: pages of at most 100, oldest first, cursor `after`."""
    world: World = req.world
    try:
        limit = int(req.query.get("limit") or 10)
        after = int(req.query.get("after") or 0)
    except ValueError:
        raise validation_error("limit and after must be integers.") from None
    if not 1 <= limit <= 100:
        raise validation_error(f"limit must be between 1 and 100, got {limit}.")
    props = [p for p in (req.query.get("properties") or "email,firstname,lastname").split(",")
             if p]
    with world.lock:
        ids = sorted(i for i in world.contacts if i > after)
        page = [world.contacts[i] for i in ids[:limit]]
        body = {"results": [contact_json(c, [*props, "hs_object_id", "createdate",
                                             "lastmodifieddate"]) for c in page]}
    if len(ids) > limit:
        next_after = str(page[-1].id)
        body["paging"] = {"next": {"after": next_after, "link": (
            f"{world.base_url}/hubspot/crm/v3/objects/contacts?after={next_after}")}}
    return Reply(200, body)


def contacts_batch_read(req) -> Reply:
    world: World = req.world
    started = world.now()
    body = object_body(req)
    inputs = batch_inputs(body)
    id_prop = body.get("idProperty") or "hs_object_id"
    if id_prop not in ("email", "hs_object_id"):
        raise validation_error(f"idProperty '{id_prop}' is not a unique identifier property.")
    requested = body.get("properties") or list(DEFAULT_READ_PROPERTIES)
    if not isinstance(requested, list) or not all(isinstance(p, str) for p in requested):
        raise validation_error("'properties' must be a list of property names.")
    ids = []
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int) \
                or isinstance(item.get("id"), bool) or str(item.get("id")).strip() == "":
            raise validation_error("Each input needs an 'id'.")
        ids.append(str(item["id"]).strip())
    failed = injected_failures(req, ids)
    with world.lock:
        names = [p for p in dict.fromkeys(requested) if p in world.properties]
        for extra in ("hs_object_id", "createdate", "lastmodifieddate"):
            if extra not in names:
                names.append(extra)
        results, missing, seen = [], [], set()
        for i, ref in enumerate(ids):
            if i in failed:
                continue
            if id_prop == "email":
                contact = world.contact_by_email(ref)
            else:
                contact = world.contacts.get(int(ref)) if ref.isdigit() else None
            if contact is None:
                missing.append(ref)
            elif contact.id not in seen:
                seen.add(contact.id)
                results.append(contact_json(contact, names))
    errors = []
    if missing:
        errors.append(batch_error(
            "OBJECT_NOT_FOUND",
            "Could not get some CONTACT objects, they may be deleted or not exist. Check that "
            "ids are valid.", missing))
    errors += partial_errors(world, ids, failed)
    return batch_reply(world, results, errors, started)


def _upsert_inputs(inputs: list) -> list[tuple[str, dict]]:
    """(e-mail, properties) per input, after HubSpot's checks of ids and duplicates."""
    if not inputs:
        raise validation_error("'inputs' must not be empty.")
    parsed, seen, dupes = [], set(), []
    for item in inputs:
        if not isinstance(item, dict):
            raise validation_error("Each input must be a JSON object.")
        ref = item.get("id")
        if not isinstance(ref, str) or not ref.strip():
            raise validation_error("Each input needs a string 'id'.")
        if item.get("idProperty") != "email":
            raise validation_error(f"Unsupported idProperty {item.get('idProperty')!r}: this "
                                   "sandbox upserts contacts by 'email'.")
        email = ref.strip().lower()
        if email_is_malformed(email):
            raise validation_error(f"Email address {ref} is invalid", errors=[
                {"message": f"Email address {ref} is invalid", "code": "INVALID_EMAIL"}])
        if email in seen:
            dupes.append(ref)
        seen.add(email)
        props = item.get("properties") if item.get("properties") is not None else {}
        if not isinstance(props, dict):
            raise validation_error("'properties' must be a JSON object.")
        parsed.append((email, props))
    if dupes:
        raise validation_error(f"Duplicate IDs found in batch input: {dupes}. "
                               "IDs must be unique.")
    return parsed


def _normalized(world: World, parsed: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Each input's property values as HubSpot stores them; one 400 lists every bad value."""
    errors, normalized = [], []
    for email, props in parsed:
        values = {}
        for name, value in props.items():
            if name == "email":
                continue  # the contact's e-mail is the id
            text, err = normalize_value(world, name, value)
            if err:
                errors.append(err)
            else:
                values[name] = text
        normalized.append((email, values))
    if errors:
        raise properties_error(errors)
    return normalized


def _upsert_one(world: World, email: str, values: dict, now) -> dict:
    contact = world.contact_by_email(email)
    new = contact is None
    if new:
        contact = world.create_contact(email, values, when=now)
    else:
        changed = False
        for name, text in values.items():
            if text == "":
                if contact.properties.pop(name, None) is not None:
                    changed = True
            elif contact.properties.get(name) != text:
                contact.properties[name] = text
                changed = True
        if changed:
            contact.updated_at = now
    shown = {name: contact.properties.get(name, "") for name in values}
    shown["email"] = contact.properties.get("email", email)
    for k in ("hs_object_id", "createdate", "lastmodifieddate"):
        shown[k] = contact.value(k)
    return {"id": str(contact.id), "new": new, "properties": shown,
            "createdAt": iso_ms(contact.created_at),
            "updatedAt": iso_ms(contact.updated_at), "archived": False}


def contacts_batch_upsert(req) -> Reply:
    world: World = req.world
    started = world.now()
    inputs = batch_inputs(object_body(req))
    parsed = _upsert_inputs(inputs)
    with world.lock:
        normalized = _normalized(world, parsed)
        refs = [str(item["id"]).strip() for item in inputs]
        failed = injected_failures(req, refs)
        now = world.now()
        results = [_upsert_one(world, email, values, now)
                   for i, (email, values) in enumerate(normalized) if i not in failed]
    return batch_reply(world, results, partial_errors(world, refs, failed), started)
