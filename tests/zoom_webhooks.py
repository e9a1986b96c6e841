"""Zoom's official webhook payloads (tests/fixtures/zoom/<event>.json), adapted to a test's
webinar and people, delivered to the registered handler as the inbox would."""

import copy
import json
from pathlib import Path

from integrations.models import WebhookDelivery
from integrations.webhooks.handlers import handler_for

FIXTURES = Path(__file__).parent / "fixtures" / "zoom"


def payload(event: str, *, ts: int | None = None, account_id: str | None = None,
            **object_fields) -> dict:
    """The official example of `event`, with its object's fields replaced (a `registrant` or
    `participant` dict is merged into the example's)."""
    body = copy.deepcopy(json.loads((FIXTURES / f"{event}.json").read_text()))
    if ts is not None:
        body["event_ts"] = ts
    if account_id is not None:
        body["payload"]["account_id"] = account_id
    obj = body["payload"].setdefault("object", {})
    for key, value in object_fields.items():
        if isinstance(value, dict) and isinstance(obj.get(key), dict):
            obj[key] = {**obj[key], **value}
        else:
            obj[key] = value
    return body


def deliver(body: dict) -> str | None:
    """Stores the delivery and runs its handler, like the inbox's processing task."""
    delivery = WebhookDelivery.objects.create(
        provider="zoom", event_type=body["event"], body=json.dumps(body),
        signature_valid=True)
    handler = handler_for("zoom", body["event"])
    assert handler is not None, body["event"]
    return handler(delivery=delivery, payload=body)
