"""HubSpot's custom workflow action "Register for Zoom webinar": HubSpot calls our URL, signed
with the app's client secret, and the contact is registered in Zoom with every question the
webinar asks answered from the contact's properties."""

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.registration_world import (
    APP_SECRET,
    LEARN,
    WEBINAR_ID,
    registration_webinar_synced,
    zoom_registrants,
)
from tests.scenarios import iso, sync_one, world
from tests.webhooks import hubspot_v3_headers
from webinars.models import HubSpotRegistration, Registrant

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/hubspot/actions/register-webinar/"
OPTIONS_URL = "/hubspot/actions/register-webinar/options/"


@pytest.fixture
def webinar(sandbox, linked, settings):
    settings.PUBLIC_BASE_URL = "https://sync.example.com"
    return registration_webinar_synced(sandbox, linked)


def action_body(*, callback_id="cb-1", email="dana@prospect.example", **properties) -> bytes:
    return json.dumps({
        "callbackId": callback_id,
        "origin": {"portalId": 62515, "actionDefinitionId": 9},
        "object": {"objectId": 501, "objectType": "CONTACT", "properties": {
            "email": email, "firstname": "Dana", "lastname": "Diaz", "company": "Prospect Co",
            **properties}},
        "inputFields": {"webinarId": str(WEBINAR_ID)},
    }).encode()


def call(client, body: bytes, *, url=URL, secret=APP_SECRET, timestamp_ms=None):
    headers = hubspot_v3_headers(secret=secret, uri=f"https://sync.example.com{url}", body=body,
                                 timestamp_ms=timestamp_ms)
    return client.generic("POST", url, body, content_type="application/json", headers=headers)


@pytest.fixture(autouse=True)
def portal_id(sandbox, linked):
    """The sandbox's portal id, which the calls name in `origin`."""
    return linked[1].hub_id


def signed(client, body: dict | bytes, **kw):
    return call(client, body if isinstance(body, bytes) else json.dumps(body).encode(), **kw)


def with_portal(body: bytes, portal_id: str) -> bytes:
    data = json.loads(body)
    data["origin"]["portalId"] = int(portal_id)
    return json.dumps(data).encode()


def test_a_signed_call_registers_the_contact_with_every_question_answered(
        client, sandbox, webinar, portal_id):
    body = with_portal(action_body(message="Forecasting"), portal_id)
    answer = call(client, body)

    assert answer.status_code == 200, answer.content
    output = answer.json()["outputFields"]
    registrant = zoom_registrants(sandbox)["dana@prospect.example"]
    assert output == {"hs_execution_state": "SUCCESS", "zoom_join_url": registrant["join_url"],
                      "zoom_registrant_id": registrant["id"]}
    assert registrant["org"] == "Prospect Co"
    assert registrant["custom_questions"] == [{"title": LEARN, "value": "Forecasting"}]
    mirrored = Registrant.objects.get(webinar=webinar, email="dana@prospect.example")
    assert mirrored.join_url == registrant["join_url"]
    # for HubSpot's own e-mails: the join link on the contact, with the register record
    assert sandbox.hubspot_contacts()["dana@prospect.example"]["zoomsync_last_join_url"] == (
        registrant["join_url"])
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    assert ("dana@prospect.example", "register") in {
        (a["email"], a["state"]) for a in event["attendance"]}


def test_a_missing_required_answer_fails_naming_the_question_and_asks_zoom_nothing(
        client, sandbox, webinar, portal_id):
    sandbox.reset_calls()
    answer = call(client, with_portal(action_body(), portal_id))  # no webinar_interest

    output = answer.json()["outputFields"]
    assert output["hs_execution_state"] == "FAIL_CONTINUE"
    assert f"“{LEARN}”" in output["zoom_registration_error"]
    assert not any(k.startswith("zoom POST") for k in sandbox.calls()["by_endpoint"])
    assert "dana@prospect.example" not in zoom_registrants(sandbox)
    failed = HubSpotRegistration.objects.get()
    assert (failed.outcome, failed.email) == ("failed", "dana@prospect.example")


def test_an_unmapped_required_standard_field_is_named_too(client, sandbox, webinar, portal_id):
    body = with_portal(action_body(company="", message="Pricing"), portal_id)
    output = call(client, body).json()["outputFields"]
    assert output["hs_execution_state"] == "FAIL_CONTINUE"
    assert "“Organization”" in output["zoom_registration_error"]


@pytest.mark.parametrize("how", ["wrong secret", "stale timestamp", "unsigned"])
def test_a_call_not_signed_by_the_app_is_refused_and_registers_nobody(
        client, sandbox, webinar, portal_id, how):
    body = with_portal(action_body(message="Forecasting"), portal_id)
    if how == "unsigned":
        answer = client.generic("POST", URL, body, content_type="application/json")
    elif how == "wrong secret":
        answer = call(client, body, secret="someone-else")
    else:
        answer = call(client, body, timestamp_ms=int(time.time() * 1000) - 10 * 60 * 1000)
    assert answer.status_code == 401
    assert HubSpotRegistration.objects.count() == 0
    assert "dana@prospect.example" not in zoom_registrants(sandbox)


def test_the_same_call_twice_and_a_second_workflow_register_the_person_once(
        client, sandbox, webinar, portal_id):
    body = with_portal(action_body(message="Forecasting"), portal_id)
    first = call(client, body).json()["outputFields"]
    sandbox.reset_calls()
    again = call(client, body).json()["outputFields"]
    other = call(client, with_portal(action_body(callback_id="cb-2",
                                                 message="Forecasting"), portal_id)
                 ).json()["outputFields"]

    assert again == first and other == first
    assert first["hs_execution_state"] == "SUCCESS"
    assert sandbox.calls()["by_endpoint"] == {}  # neither asked Zoom again
    assert list(zoom_registrants(sandbox)) == ["dana@prospect.example"]


def test_the_dropdown_lists_upcoming_webinars(client, webinar, portal_id):
    body = json.dumps({"origin": {"portalId": int(portal_id)}, "inputFieldName": "webinarId",
                       "fetchOptions": {"q": "roadmap"}}).encode()
    answer = call(client, body, url=OPTIONS_URL)
    assert answer.status_code == 200
    assert [o["value"] for o in answer.json()["options"]] == [str(WEBINAR_ID)]
    nothing = call(client, json.dumps({"origin": {"portalId": int(portal_id)},
                                       "fetchOptions": {"q": "no such topic"}}).encode(),
                   url=OPTIONS_URL)
    assert nothing.json()["options"] == []


@pytest.mark.parametrize("version_header", [True, False])
def test_an_app_that_signs_with_v2_is_accepted(client, sandbox, webinar, portal_id,
                                               version_header):
    """Workflow action calls carry the older v2 signature (the version header may be left
    out); v2 covers the method, the public URL and the body."""
    body = with_portal(action_body(message="Forecasting"), portal_id)
    digest = hashlib.sha256(APP_SECRET.encode() + b"POST" +
                            f"https://sync.example.com{URL}".encode() + body).hexdigest()
    headers = {"X-HubSpot-Signature": digest}
    if version_header:
        headers["X-HubSpot-Signature-Version"] = "v2"
    answer = client.generic("POST", URL, body, content_type="application/json",
                            headers=headers)
    assert answer.json()["outputFields"]["hs_execution_state"] == "SUCCESS"
    tampered = client.generic("POST", URL, body.replace(b"Forecasting", b"Tampering"),
                              content_type="application/json", headers=headers)
    assert tampered.status_code == 401


@pytest.mark.parametrize("when", ["over", "registration closed"])
def test_a_webinar_over_or_closed_fails_with_a_readable_reason(client, sandbox, linked, settings,
                                                                when):
    settings.PUBLIC_BASE_URL = "https://sync.example.com"
    account, portal = linked
    portal.client_secret = APP_SECRET
    portal.save()
    # over: it ended an hour ago; closed: it started ten minutes ago and closes registration
    start = datetime.now(UTC) - timedelta(minutes=120 if when == "over" else 10)
    sandbox.seed("custom", **world({
        "id": WEBINAR_ID, "topic": "Closing Time", "type": 5, "start_time": iso(start),
        "duration": 60, "host_id": "host-user-1", "instances": [], "registrants": [],
        "settings": {"close_registration": when == "registration closed"}}))
    sync_one(account, WEBINAR_ID)

    output = call(client, with_portal(action_body(), portal.hub_id)).json()["outputFields"]

    assert output["hs_execution_state"] == "FAIL_CONTINUE"
    assert output["zoom_registration_error"] == (
        "Webinar “Closing Time” is over: registration is closed.")
    assert zoom_registrants(sandbox) == {}
