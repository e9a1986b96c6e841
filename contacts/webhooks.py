"""HubSpot's contact webhooks (one event of a batch each): find the contact, let a service
apply the change. An event about a contact we never pushed is processed with a note."""

from datetime import UTC, datetime

from django.utils import timezone

from integrations.webhooks.handlers import webhook_handler

from .services.hubspot_changes import (
    contact_hubspot_deleted,
    contact_hubspot_email_changed,
    contacts_hubspot_merged,
)


def _object_id(value) -> str:
    text = str(value).strip() if isinstance(value, int | str) and \
        not isinstance(value, bool) else ""
    return text if text.isdigit() else ""


def _occurred_at(payload: dict) -> datetime:
    try:
        return datetime.fromtimestamp(int(payload["occurredAt"]) / 1000, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return timezone.now()


@webhook_handler("hubspot", "contact.deletion")
def contact_deletion(*, delivery, payload):
    hubspot_id = _object_id(payload.get("objectId"))
    if not hubspot_id:
        return "The event names no contact."
    return contact_hubspot_deleted(hubspot_id=hubspot_id, when=_occurred_at(payload))


@webhook_handler("hubspot", "contact.merge")
def contact_merge(*, delivery, payload):
    merged = [_object_id(i) for i in payload.get("mergedObjectIds") or []]
    primary = _object_id(payload.get("primaryObjectId"))
    new = _object_id(payload.get("newObjectId")) or primary
    if not new:
        return "The event names no merged contact."
    return contacts_hubspot_merged(merged_ids=[i for i in merged if i], primary_id=primary,
                                   new_id=new)


@webhook_handler("hubspot", "contact.propertyChange")
def contact_property_change(*, delivery, payload):
    if payload.get("propertyName") != "email":
        return f"Property {payload.get('propertyName')!r} is not one we follow."
    hubspot_id = _object_id(payload.get("objectId"))
    if not hubspot_id:
        return "The event names no contact."
    return contact_hubspot_email_changed(hubspot_id=hubspot_id,
                                         email=payload.get("propertyValue"))
