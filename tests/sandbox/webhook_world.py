"""The world the webhook tests seed: one host, one webinar that needs approval, two
registrants, and the HubSpot side's contacts."""

import json
from pathlib import Path

from tests.sandbox.webhook_receiver import Receiver

DATA = Path(__file__).with_name("data")
SHAPES = json.loads((DATA / "zoom_webhook_shapes.json").read_text())
VECTORS = json.loads((DATA / "webhook_signature_vectors.json").read_text())
WEBINAR_ID = 81234567890
HOST_ID = "hOsTuSeR00000000000001"
WORLD = {
    "users": [{"id": HOST_ID, "email": "host@sandbox.example", "first_name": "Hana",
               "last_name": "Host"}],
    "webinars": [{
        "id": WEBINAR_ID, "uuid": "wEbInArUuId000000000==", "topic": "Webhooks 101",
        "type": 5, "start_time": "2031-05-01T15:00:00Z", "duration": 60, "host_id": HOST_ID,
        "timezone": "UTC", "settings": {"approval_type": 1},
        "registrants": [
            {"email": "ann@sandbox.example", "first_name": "Ann", "last_name": "Able"},
            {"email": "bob@sandbox.example", "first_name": "Bob", "last_name": "Baker",
             "status": "pending"}]}],
    "hubspot": {"contacts": [
        {"email": "ann@sandbox.example", "properties": {"firstname": "Ann"}},
        {"email": "ann.able@sandbox.example", "properties": {"lastname": "Able"}}]},
}


def receiver_for(client) -> Receiver:
    """A receiver with the sandbox's documented secrets, set as both targets."""
    creds = client.creds
    receiver = Receiver(creds["zoom"]["webhook_secret"], creds["hubspot"]["client_secret"])
    answer = client.http.post(f"{client.url}/_sandbox/webhooks", timeout=10, json={
        "zoom": receiver.base + "/zoom", "hubspot": receiver.base + "/hubspot"})
    assert answer.status_code == 200, answer.text
    return receiver


def assert_zoom_shape(body: dict) -> None:
    """The body has Zoom's envelope, and the keys of the event's schema: every required one,
    none it does not list."""
    assert set(body) == {"event", "event_ts", "payload"} and isinstance(body["event_ts"], int)
    shape = SHAPES[body["event"]]["schema"]
    payload = body["payload"]
    _keys(payload, shape["payload"], body["event"])
    _keys(payload["object"], shape["object"], body["event"] + " object")
    for sub in ("registrant", "participant"):
        if sub in shape:
            _keys(payload["object"][sub], shape[sub], f"{body['event']} {sub}")


def _keys(data: dict, shape: dict, where: str) -> None:
    assert set(shape["required"]) <= set(data), (where, set(shape["required"]) - set(data))
    assert set(data) <= set(shape["keys"]), (where, set(data) - set(shape["keys"]))


def log(client) -> list[dict]:
    return client.http.get(f"{client.url}/_sandbox/webhooks/log", timeout=10).json()[
        "deliveries"]
