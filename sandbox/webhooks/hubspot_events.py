"""HubSpot's webhook events for the app's contact subscriptions (one subscription id per
subscription type, as an app has when it subscribes to each once)."""

from __future__ import annotations

from ..common import epoch_ms
from ..credentials import HUBSPOT_APP_ID, HUBSPOT_PORTAL_ID

SUBSCRIPTION_IDS = {"contact.deletion": 2001, "contact.merge": 2002,
                    "contact.propertyChange": 2003}
# what HubSpot reports for a change made through the API with an app's token
CHANGE_SOURCE = "INTEGRATION"


def event(world, subscription_type: str, object_id: int, **extra) -> dict:
    return {"eventId": world.webhooks.next_hubspot_event_id(),
            "subscriptionId": SUBSCRIPTION_IDS[subscription_type],
            "portalId": int(HUBSPOT_PORTAL_ID), "appId": int(HUBSPOT_APP_ID),
            "occurredAt": epoch_ms(world.now()), "subscriptionType": subscription_type,
            "attemptNumber": 0, "objectId": object_id, "changeSource": CHANGE_SOURCE, **extra}


def deletion(world, contact_id: int) -> dict:
    return event(world, "contact.deletion", contact_id)


def merge(world, primary_id: int, merged_id: int) -> dict:
    """The contact keeps the primary's id, so ``newObjectId`` is that id too."""
    return event(world, "contact.merge", primary_id, mergedObjectIds=[merged_id],
                 primaryObjectId=primary_id, newObjectId=primary_id)


def property_change(world, contact_id: int, name: str, value) -> dict:
    return event(world, "contact.propertyChange", contact_id, propertyName=name,
                 propertyValue="" if value is None else str(value))
