"""Updating (``PATCH /crm/v3/objects/contacts/{contactId}``), archiving (``DELETE``, 204
whether or not it existed) and merging contacts (``POST /crm/v3/objects/contacts/merge``); each
sends the app's ``contact.propertyChange`` (for the properties in ``WATCHED``, the app's
subscriptions) / ``contact.deletion`` / ``contact.merge`` webhook when a HubSpot target is set.

A merged contact keeps the primary's id; the other's properties fill the primary's empty
ones, and its e-mail keeps finding the merged contact (HubSpot keeps it as an additional
e-mail).
"""

from __future__ import annotations

from ..common import HubSpotError, Reply
from ..webhooks import hubspot_events
from ..world import World
from .batch import email_is_malformed, object_body, validation_error
from .contacts import contact_json
from .properties import normalize_value, properties_error

# the contact properties the app subscribes to with contact.propertyChange
WATCHED = ("email",)


def _contact_id(value) -> int | None:
    text = str(value).strip() if isinstance(value, str | int) and \
        not isinstance(value, bool) else ""
    return int(text) if text.isdigit() else None


def delete_contact(req) -> Reply:
    world: World = req.world
    contact_id = _contact_id(req.params["contactId"])
    with world.lock:
        contact = world.contacts.pop(contact_id, None) if contact_id is not None else None
        if contact is None:
            return Reply(204, None)
        for email, c in list(world.contacts_by_email.items()):
            if c is contact:
                del world.contacts_by_email[email]
        event = hubspot_events.deletion(world, contact.id)
    world.webhooks.hubspot([event])
    return Reply(204, None)


def merge_contacts(req) -> Reply:
    world: World = req.world
    body = object_body(req)
    primary_id = _contact_id(body.get("primaryObjectId"))
    merged_id = _contact_id(body.get("objectIdToMerge"))
    if primary_id is None or merged_id is None:
        raise validation_error("primaryObjectId and objectIdToMerge are required.")
    if primary_id == merged_id:
        raise validation_error("Cannot merge an object with itself.")
    with world.lock:
        primary = world.contacts.get(primary_id)
        merged = world.contacts.get(merged_id)
        if primary is None or merged is None:
            missing = primary_id if primary is None else merged_id
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Object not found. objectId are "
                               f"usually numeric. {missing} was not found.")
        for name, value in merged.properties.items():
            if name != "email" and primary.properties.get(name) in (None, ""):
                primary.properties[name] = value
        primary.updated_at = world.now()
        del world.contacts[merged_id]
        for email, c in list(world.contacts_by_email.items()):
            if c is merged:
                world.contacts_by_email[email] = primary
        event = hubspot_events.merge(world, primary_id, merged_id)
        answer = contact_json(primary)
    world.webhooks.hubspot([event])
    return Reply(200, answer)


def _new_values(world: World, body: dict) -> dict:
    props = body.get("properties")
    if not isinstance(props, dict):
        raise validation_error("'properties' must be a JSON object.")
    values, errors = {}, []
    for name, value in props.items():
        if name == "email":
            email = str(value or "").strip().lower()
            if not email or email_is_malformed(email):
                raise validation_error(f"Email address {value} is invalid", errors=[
                    {"message": f"Email address {value} is invalid",
                     "code": "INVALID_EMAIL"}])
            values[name] = email
            continue
        text, err = normalize_value(world, name, value)
        if err:
            errors.append(err)
        else:
            values[name] = text
    if errors:
        raise properties_error(errors)
    return values


def update_contact(req) -> Reply:
    world: World = req.world
    contact_id = _contact_id(req.params["contactId"])
    body = object_body(req)
    events = []
    with world.lock:
        contact = world.contacts.get(contact_id) if contact_id is not None else None
        if contact is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are "
                               "usually numeric.")
        values = _new_values(world, body)
        email = values.get("email")
        holder = world.contact_by_email(email) if email else None
        if holder is not None and holder is not contact:
            raise HubSpotError(409, "CONFLICT",
                               f"Contact already exists. Existing ID: {holder.id}")
        for name, text in values.items():
            if (contact.properties.get(name) or "") == text:
                continue
            if name == "email":
                world.contacts_by_email.pop(contact.properties.get("email") or "", None)
                world.contacts_by_email[text] = contact
            if text == "":
                contact.properties.pop(name, None)
            else:
                contact.properties[name] = text
            contact.updated_at = world.now()
            if name in WATCHED:
                events.append(hubspot_events.property_change(world, contact.id, name, text))
        answer = contact_json(contact)
    if events:
        world.webhooks.hubspot(events)
    return Reply(200, answer)
