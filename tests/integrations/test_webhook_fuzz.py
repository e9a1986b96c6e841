"""Fuzzing both endpoints with random bodies, headers, signatures and sizes: never a 5xx, and
nothing is stored unless the call was signed with the linked secret."""

import json
import time

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from integrations.models import WebhookDelivery
from tests.webhooks import hubspot_v1_headers, hubspot_v3_headers, zoom_headers

SECRET = "hubspot-fuzz-client-secret"
LIMIT = 4096

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from([2**63, -2**64, 10**40])
    | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10),
                                                                       children, max_size=4),
    max_leaves=20,
)
# event times: plausible ones, ones no database column holds, and anything else
times = st.integers(0, 2 * 10**12) | st.sampled_from([2**63, -2**64, 10**40]) | json_values
header_names = st.sampled_from([
    "x-zm-signature", "x-zm-request-timestamp", "X-HubSpot-Signature-v3",
    "X-HubSpot-Request-Timestamp", "X-HubSpot-Signature", "X-HubSpot-Signature-Version",
    "X-Forwarded-Host", "X-Forwarded-Proto", "Content-Type",
])
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                        max_size=60) | st.integers(-10**12, 10**13).map(str)
fuzz = hypothesis_settings(max_examples=120, deadline=None, derandomize=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


@pytest.fixture
def accounts(linked, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = LIMIT
    account, portal = linked
    portal.client_secret = SECRET
    portal.save()
    return account, portal


@st.composite
def zoom_bodies(draw, account_id):
    kind = draw(st.sampled_from(["random", "event", "event", "bytes", "huge"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "huge":
        return b"{" + b" " * draw(st.integers(LIMIT - 2, LIMIT + 2)) + b"}"
    if kind == "random":
        return json.dumps(draw(json_values)).encode()
    return json.dumps({
        "event": draw(st.text(max_size=30) | st.sampled_from(
            ["webinar.created", "endpoint.url_validation", "app_deauthorized"])),
        "event_ts": draw(times),
        "payload": draw(st.fixed_dictionaries(
            {"account_id": st.sampled_from([account_id, account_id, "other"])},
            optional={"plainToken": json_values, "object": json_values, "event_ts": times})
            | json_values),
    }).encode()


@st.composite
def hubspot_bodies(draw, portal_id):
    kind = draw(st.sampled_from(["random", "events", "events", "mixed", "bytes", "huge"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "huge":
        return b"[" + b" " * draw(st.integers(LIMIT - 2, LIMIT + 2)) + b"]"
    if kind == "random":
        return json.dumps(draw(json_values)).encode()
    event = st.fixed_dictionaries({
        "portalId": st.sampled_from([int(portal_id)] * 4 + [portal_id, 1]) | json_values,
        "eventId": json_values, "occurredAt": times, "subscriptionType": json_values})
    if kind == "events":
        return json.dumps(draw(st.lists(event, min_size=1, max_size=4))).encode()
    return json.dumps(draw(st.lists(event | json_values, max_size=4))).encode()


def _signing(draw, correct: dict) -> dict:
    how = draw(st.sampled_from(["correct", "correct", "none", "random", "mangled"]))
    extra = draw(st.dictionaries(header_names, header_values, max_size=4))
    if how == "correct":
        return correct
    if how == "none":
        return extra
    if how == "random":
        return {**extra, **{k: v + "0" for k, v in correct.items()}}
    return {k: v[::-1] for k, v in correct.items()}


def _check(response, before: int, signed: bool):
    assert response.status_code < 500, response.content
    if not signed or response.status_code >= 300:
        assert WebhookDelivery.objects.count() == before


def test_zoom_endpoint_never_fails_nor_stores_an_unsigned_call(accounts, post_webhook):
    account, _portal = accounts

    @fuzz
    @given(data=st.data())
    def run(data):
        body = data.draw(zoom_bodies(account.zoom_account_id))
        age = data.draw(st.sampled_from([0, 0, 299, 301, -400]))
        correct = zoom_headers(secret=account.webhook_secret, body=body,
                               timestamp=int(time.time()) - age)
        headers = _signing(data.draw, correct)
        signed = headers is correct and abs(age) < 300
        method = data.draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]))
        before = WebhookDelivery.objects.count()
        _check(post_webhook("/webhooks/zoom/", body, headers, method), before,
               signed and method == "POST")

    run()
    # the signed calls got through, so the refusals above were not for want of a valid call
    assert WebhookDelivery.objects.filter(provider="zoom").exists()


def test_hubspot_endpoint_never_fails_nor_stores_an_unsigned_call(
        accounts, post_webhook, settings):
    _account, portal = accounts

    @fuzz
    @given(data=st.data())
    def run(data):
        body = data.draw(hubspot_bodies(portal.hub_id))
        age = data.draw(st.sampled_from([0, 0, 299, 301, -400]))
        if data.draw(st.booleans()):
            correct = hubspot_v3_headers(secret=SECRET, body=body,
                                         uri=settings.PUBLIC_BASE_URL + "/webhooks/hubspot/",
                                         timestamp_ms=int((time.time() - age) * 1000))
        else:
            correct, age = hubspot_v1_headers(secret=SECRET, body=body), 0
        headers = _signing(data.draw, correct)
        signed = headers is correct and abs(age) < 300
        before = WebhookDelivery.objects.count()
        _check(post_webhook("/webhooks/hubspot/", body, headers), before, signed)

    run()
    assert WebhookDelivery.objects.filter(provider="hubspot").exists()
