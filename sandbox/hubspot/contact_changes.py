"""Archiving (``DELETE /crm/v3/objects/contacts/{contactId}``, 204 whether or not it existed)
and merging contacts (``POST /crm/v3/objects/contacts/merge``); each sends the app's
``contact.deletion`` / ``contact.merge`` webhook when a HubSpot target is set.

A merged contact keeps the primary's id; the other's properties fill the primary's empty
ones, and its e-mail keeps finding the merged contact (HubSpot keeps it as an additional
e-mail).
"""

from __future__ import annotations

from ..common import HubSpotError, Reply
from ..webhooks import hubspot_events
from ..world import World
from .batch import object_body, validation_error
from .contacts import contact_json


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
