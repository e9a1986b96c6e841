"""Signing webhook calls as Zoom and HubSpot do, computed here independently of the
product's own signature code, and the fixture payloads."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
ZOOM_EVENTS = sorted(path.stem for path in (FIXTURES / "zoom").glob("*.json"))


def zoom_example(event: str) -> dict:
    return json.loads((FIXTURES / "zoom" / f"{event}.json").read_text())


def zoom_headers(*, secret: str, body: bytes, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body,
                      hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": f"v0={digest}"}


def hubspot_v3_headers(*, secret: str, uri: str, body: bytes,
                       timestamp_ms: int | None = None, method: str = "POST") -> dict:
    timestamp = str(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms)
    message = method.encode() + uri.encode() + body + timestamp.encode()
    signature = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())
    return {"X-HubSpot-Signature-v3": signature.decode(),
            "X-HubSpot-Request-Timestamp": timestamp}


def hubspot_v1_headers(*, secret: str, body: bytes) -> dict:
    return {"X-HubSpot-Signature": hashlib.sha256(secret.encode() + body).hexdigest(),
            "X-HubSpot-Signature-Version": "v1"}


def hubspot_event(*, portal_id, event_id: int, kind: str = "contact.propertyChange",
                  occurred_at: int = 1764600000000, **extra) -> dict:
    return {"eventId": event_id, "subscriptionId": 2881778, "portalId": int(portal_id),
            "appId": 1160452, "occurredAt": occurred_at, "subscriptionType": kind,
            "attemptNumber": 0, "objectId": 123, "changeSource": "CRM", **extra}


def compact(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


# Handlers for made-up events, registered as a source app would, so the tests can see what
# processing did: every payload a "test.recorded" delivery was processed with, and a
# "test.failing" handler that fails until told otherwise. "test.batched" events also have a
# batch handler (BATCHES: the size of each batch it was given), which fails the whole batch
# when one of its events says "breaks".
RECORDED: list[dict] = []
FAILING = {"broken": True}
BATCHES: list[int] = []


def _register():
    from integrations.webhooks.handlers import webhook_batch_handler, webhook_handler

    @webhook_handler("zoom", "test.recorded")
    @webhook_handler("hubspot", "test.recorded")
    def recorded(*, delivery, payload):
        RECORDED.append(payload)
        return f"recorded event at {delivery.event_ts}"

    @webhook_handler("zoom", "test.failing")
    def failing(*, delivery, payload):
        if FAILING["broken"]:
            raise RuntimeError("the handler broke")
        return "worked this time"

    @webhook_handler("zoom", "test.batched")
    def batched_one(*, delivery, payload):
        if payload.get("breaks"):
            raise ValueError("this event breaks")
        RECORDED.append(payload)
        return "alone"

    @webhook_batch_handler("zoom", "test.batched")
    def batched(*, items):
        if any(payload.get("breaks") for _, payload in items):
            raise ValueError("one event breaks the batch")
        BATCHES.append(len(items))
        RECORDED.extend(payload for _, payload in items)
        return [f"in a batch of {len(items)}"] * len(items)


_register()
