"""What a handler is given: the delivery's stored body, parsed."""

import json

from ..models import WebhookDelivery


def delivery_payload(*, delivery: WebhookDelivery) -> dict:
    """A Zoom delivery's whole body ({"event", "event_ts", "payload"}), or one HubSpot event
    of its batch (each is stored as its own delivery)."""
    data = json.loads(delivery.body)
    return data if isinstance(data, dict) else {}
