"""The sandbox's webhooks: signatures (against the published vectors), the targets and the
log, and the events its own state changes send, checked by an independent receiver."""

import time

import pytest

from sandbox.webhooks.signing import hubspot_signature_v3, zoom_signature
from sandbox.webhooks.zoom_events import webinar_created
from tests.sandbox.webhook_world import (
    HOST_ID,
    VECTORS,
    WEBINAR_ID,
    WORLD,
    assert_zoom_shape,
    log,
    receiver_for,
)

ORDER = ["webinar.registration_created", "webinar.registration_approved",
         "webinar.registration_denied", "webinar.registration_cancelled"]


@pytest.fixture
def receiver(client):
    client.seed("custom", **WORLD)
    r = receiver_for(client)
    yield r
    r.close()


@pytest.mark.parametrize("vector", [v for v in VECTORS["zoom"] if "raw_body" in v],
                         ids=lambda v: v["id"])
def test_zoom_signature_matches_the_published_vectors(vector):
    assert zoom_signature(vector["secret_token"], vector["x_zm_request_timestamp"],
                          vector["raw_body"].encode()) == vector["expected_x_zm_signature"]


@pytest.mark.parametrize("vector", VECTORS["hubspot_v3"], ids=lambda v: v["origin"][:20])
def test_hubspot_v3_signature_matches_the_published_vectors(vector):
    assert hubspot_signature_v3(vector["client_secret"], vector["http_method"],
                                vector["http_uri"], vector["request_body"].encode(),
                                vector["timestamp"]) == vector["expected_signature"]


def test_targets_are_set_shown_and_cleared_by_reset(client):
    url = f"{client.url}/_sandbox/webhooks"
    assert client.http.get(url).json() == {"zoom": None, "hubspot": None}
    set_ = client.http.post(url, json={"zoom": "http://127.0.0.1:9/z"})
    assert set_.json() == {"zoom": "http://127.0.0.1:9/z", "hubspot": None}
    assert client.http.post(url, json={"zoom": "ftp://x"}).status_code == 400
    assert client.http.post(url, json={"slack": None}).status_code == 400
    client.seed("demo")  # seeding keeps the targets
    assert client.http.get(url).json()["zoom"] == "http://127.0.0.1:9/z"
    client.http.post(f"{client.url}/_sandbox/reset")
    assert client.http.get(url).json() == {"zoom": None, "hubspot": None}
    assert log(client) == []


def test_registrations_send_signed_events_shaped_as_zoom_documents(client, receiver):
    added = client.zoom("POST", f"/webinars/{WEBINAR_ID}/registrants", json={
        "email": "cy@sandbox.example", "first_name": "Cy", "last_name": "Cole",
        "org": "Acme"})
    assert added.status_code == 201
    regs = {"approve": "bob@sandbox.example", "deny": "cy@sandbox.example",
            "cancel": "ann@sandbox.example"}
    for action, email in regs.items():
        done = client.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status",
                           json={"action": action, "registrants": [{"email": email}]})
        assert done.status_code == 204
    # deliveries of separate changes leave side by side: no order among them, as with Zoom
    got = sorted(receiver.wait_for(4), key=lambda g: ORDER.index(g["json"]["event"]))
    assert [g["json"]["event"] for g in got] == ORDER
    for g in got:
        assert g["zoom_valid"], g["headers"]
        assert abs(int(g["headers"]["x-zm-request-timestamp"]) - time.time()) < 60
        assert_zoom_shape(g["json"])
        assert g["json"]["payload"]["account_id"] == client.creds["zoom"]["account_id"]
    created = got[0]["json"]["payload"]["object"]["registrant"]
    assert created["id"] == added.json()["registrant_id"]
    assert (created["status"], created["org"]) == ("pending", "Acme")
    assert got[1]["json"]["payload"]["operator_id"] == HOST_ID
    # the same status again changes nothing and sends nothing
    client.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status",
                json={"action": "cancel", "registrants": [{"email": "ann@sandbox.example"}]})
    time.sleep(0.2)
    assert len(receiver.events()) == 4
    assert [e["state"] for e in log(client)] == ["delivered"] * 4


def test_updating_and_deleting_a_webinar_send_their_events(client, receiver):
    client.zoom("PATCH", f"/webinars/{WEBINAR_ID}",
                json={"topic": "Webhooks 201", "settings": {"approval_type": 0}})
    client.zoom("DELETE", f"/webinars/{WEBINAR_ID}")
    updated, deleted = sorted((g["json"] for g in receiver.wait_for(2)),
                              key=lambda body: body["event"] != "webinar.updated")
    for body in (updated, deleted):
        assert_zoom_shape(body)
    assert updated["event"] == "webinar.updated"
    assert updated["payload"]["object"] == {"id": WEBINAR_ID, "uuid": "wEbInArUuId000000000==",
                                            "topic": "Webhooks 201",
                                            "settings": {"approval_type": 0}}
    assert updated["payload"]["old_object"]["topic"] == "Webhooks 101"
    assert updated["payload"]["old_object"]["settings"] == {"approval_type": 1}
    # a webinar that does not recur: the change is to a single webinar
    assert updated["payload"]["scope"] == "single"
    assert deleted["payload"]["operation"] == "single"
    assert deleted["event"] == "webinar.deleted"
    assert deleted["payload"]["object"]["id"] == WEBINAR_ID


def test_webinar_created_body_has_zoom_s_shape(srv):
    srv.seed("custom", **WORLD)
    body = webinar_created(srv.world, srv.world.webinars[WEBINAR_ID], srv.world.now())
    assert_zoom_shape(body)


def test_contact_deletion_and_merge_send_signed_v3_events(client, receiver):
    contacts = client.state("hubspot")["hubspot"]["contacts"]
    ann, other = (int(c["id"]) for c in contacts)
    merged = client.hubspot("POST", "/crm/v3/objects/contacts/merge",
                            json={"primaryObjectId": str(ann), "objectIdToMerge": str(other)})
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == str(ann)
    assert merged.json()["properties"]["lastname"] == "Able"
    gone = client.hubspot("DELETE", f"/crm/v3/objects/contacts/{ann}")
    assert gone.status_code == 204 and not gone.content
    assert client.hubspot("DELETE", f"/crm/v3/objects/contacts/{ann}").status_code == 204
    assert client.state("hubspot")["hubspot"]["contacts"] == []
    got = receiver.wait_for(2, "/hubspot")
    assert len(got) == 2  # deleting what is gone sends nothing
    for g in got:
        assert g["hubspot_valid"], g["headers"]
        assert g["headers"]["x-hubspot-signature-version"] == "v3"
        assert abs(int(g["headers"]["x-hubspot-request-timestamp"]) / 1000 - time.time()) < 60
    [merge], [deletion] = sorted((g["json"] for g in got),
                                 key=lambda events: events[0]["subscriptionType"], reverse=True)
    common = {"portalId": int(client.creds["hubspot"]["portal_id"]),
              "appId": int(client.creds["hubspot"]["app_id"]), "attemptNumber": 0}
    assert common.items() <= merge.items() and common.items() <= deletion.items()
    assert merge["subscriptionType"] == "contact.merge"
    assert (merge["primaryObjectId"], merge["mergedObjectIds"]) == (ann, [other])
    assert deletion["subscriptionType"] == "contact.deletion" and deletion["objectId"] == ann
    for event in (merge, deletion):
        assert {"eventId", "subscriptionId", "occurredAt", "changeSource"} <= set(event)


def test_an_email_change_sends_a_signed_property_change(client, receiver):
    ann, other = (c["id"] for c in client.state("hubspot")["hubspot"]["contacts"])
    renamed = client.hubspot("PATCH", f"/crm/v3/objects/contacts/{ann}", json={
        "properties": {"email": "Ann.New@sandbox.example", "firstname": "Annie"}})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["properties"]["email"] == "ann.new@sandbox.example"
    # a property the app does not watch sends nothing
    client.hubspot("PATCH", f"/crm/v3/objects/contacts/{ann}",
                   json={"properties": {"firstname": "Ann"}})
    taken = client.hubspot("PATCH", f"/crm/v3/objects/contacts/{other}",
                           json={"properties": {"email": "ann.new@sandbox.example"}})
    assert taken.status_code == 409 and taken.json()["category"] == "CONFLICT"
    assert client.hubspot("PATCH", "/crm/v3/objects/contacts/999999",
                          json={"properties": {}}).status_code == 404
    [got] = receiver.wait_for(1, "/hubspot")
    time.sleep(0.2)
    assert len(receiver.events("/hubspot")) == 1 and got["hubspot_valid"]
    [change] = got["json"]
    assert (change["subscriptionType"], change["objectId"], change["propertyName"],
            change["propertyValue"]) == ("contact.propertyChange", int(ann), "email",
                                         "ann.new@sandbox.example")


def test_merge_refuses_unknown_or_identical_contacts(client):
    client.seed("custom", **WORLD)
    one = client.state("hubspot")["hubspot"]["contacts"][0]["id"]
    same = client.hubspot("POST", "/crm/v3/objects/contacts/merge",
                          json={"primaryObjectId": one, "objectIdToMerge": one})
    assert same.status_code == 400 and same.json()["category"] == "VALIDATION_ERROR"
    unknown = client.hubspot("POST", "/crm/v3/objects/contacts/merge",
                             json={"primaryObjectId": one, "objectIdToMerge": "999999"})
    assert unknown.status_code == 404


def test_a_5xx_is_retried_a_4xx_is_not(client, receiver):
    receiver.statuses = [503, 500]
    client.zoom("PATCH", f"/webinars/{WEBINAR_ID}", json={"topic": "Retry me"})
    got = receiver.wait_for(3)
    assert len(got) == 3 and got[0]["raw"] == got[2]["raw"]
    deadline = time.monotonic() + 5
    while log(client)[0]["state"] != "delivered" and time.monotonic() < deadline:
        time.sleep(0.02)
    entry = log(client)[0]
    assert (entry["status"], entry["attempts"], entry["state"]) == (200, 3, "delivered")
    receiver.statuses = [400]
    client.zoom("PATCH", f"/webinars/{WEBINAR_ID}", json={"topic": "Lost"})
    receiver.wait_for(4)
    time.sleep(0.8)  # longer than the compressed retry waits
    assert len(receiver.events()) == 4
    assert log(client)[1]["state"] == "failed" and log(client)[1]["attempts"] == 1


def test_hubspot_retries_count_their_attempts(client, receiver):
    receiver.statuses = [500]
    contact = client.state("hubspot")["hubspot"]["contacts"][0]["id"]
    client.hubspot("DELETE", f"/crm/v3/objects/contacts/{contact}")
    first, second = receiver.wait_for(2, "/hubspot")
    assert [first["json"][0]["attemptNumber"], second["json"][0]["attemptNumber"]] == [0, 1]
    assert first["hubspot_valid"] and second["hubspot_valid"]
