"""POST /webhooks/zoom/: every official Zoom example is accepted when signed with the linked
account's secret and refused otherwise; URL validation; duplicates."""

import copy
import hashlib
import hmac
import json
import time

import pytest
import time_machine

from integrations.models import WebhookDelivery, ZoomAccount
from tests.factories import ZoomAccountFactory
from tests.integrations.webhook_security import WebhookEndpointSecurity
from tests.webhooks import FIXTURES, RECORDED, ZOOM_EVENTS, compact, zoom_example, zoom_headers

URL = "/webhooks/zoom/"


@pytest.fixture
def account(linked) -> ZoomAccount:
    account, _portal = linked
    assert account.webhook_secret
    return account


def signed_example(event: str, account: ZoomAccount) -> bytes:
    data = copy.deepcopy(zoom_example(event))
    if event != "endpoint.url_validation":
        data["payload"]["account_id"] = account.zoom_account_id
    return compact(data)


@pytest.fixture
def post(post_webhook):
    return lambda body, headers: post_webhook(URL, body, headers)


# Zoom's documented example for webinar.registration_denied says "registration_created" in
# its "event" field; the fixture keeps Zoom's text as published.
MISLABELLED = {"webinar.registration_denied": "webinar.registration_created"}


def test_fixtures_hold_every_official_example():
    assert len(ZOOM_EVENTS) == 107
    for event in ZOOM_EVENTS:
        assert zoom_example(event)["event"] == MISLABELLED.get(event, event)


@pytest.mark.parametrize("event", ZOOM_EVENTS)
def test_every_example_is_stored_and_processed_when_signed(post, account, event):
    body = signed_example(event, account)
    response = post(body, zoom_headers(secret=account.webhook_secret, body=body))
    assert response.status_code == 200, response.content
    delivery = WebhookDelivery.objects.get()
    assert (delivery.provider, delivery.event_type, delivery.signature_valid) == (
        "zoom", MISLABELLED.get(event, event), True)
    assert delivery.account_key == account.zoom_account_id
    assert delivery.body.encode() == body
    assert delivery.status in ("processed", "ignored"), delivery.error
    assert delivery.processed_at is not None
    if "event_ts" in zoom_example(event):
        assert delivery.event_ts == zoom_example(event)["event_ts"]


@pytest.mark.parametrize("event", ZOOM_EVENTS)
def test_every_example_is_refused_with_a_wrong_signature_or_a_stale_timestamp(
        post, account, event):
    body = signed_example(event, account)
    wrong = zoom_headers(secret=account.webhook_secret + "x", body=body)
    stale = zoom_headers(secret=account.webhook_secret, body=body,
                         timestamp=int(time.time()) - 301)
    assert post(body, wrong).status_code == 401
    assert post(body, stale).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_url_validation_is_answered_with_the_token_hmac(post, account):
    body = signed_example("endpoint.url_validation", account)
    response = post(body, zoom_headers(secret=account.webhook_secret, body=body))
    plain = zoom_example("endpoint.url_validation")["payload"]["plainToken"]
    expected = hmac.new(account.webhook_secret.encode(), plain.encode(),
                        hashlib.sha256).hexdigest()
    assert response.json() == {"plainToken": plain, "encryptedToken": expected}


def test_url_validation_matches_zooms_vectors(post, sandbox, db):
    vectors = json.loads((FIXTURES / "zoom-signature-test-vectors.json").read_text())
    request = next(v for v in vectors["signature_vectors"]
                   if v["id"] == "sig-3-url-validation-request")
    answer = next(v for v in vectors["url_validation_vectors"] if v["id"] == "crc-2")
    ZoomAccountFactory(webhook_secret="another-accounts-secret")
    ZoomAccountFactory(webhook_secret=request["secret_token"])
    with time_machine.travel(int(request["x_zm_request_timestamp"]) + 10, tick=False):
        response = post(request["raw_body"].encode(), {
            "x-zm-request-timestamp": request["x_zm_request_timestamp"],
            "x-zm-signature": request["expected_x_zm_signature"]})
    assert response.status_code == 200
    assert response.json() == answer["expected_response"]


def test_url_validation_signed_by_no_linked_account_is_refused(post, account):
    body = signed_example("endpoint.url_validation", account)
    response = post(body, zoom_headers(secret="someone-elses-secret", body=body))
    assert response.status_code == 401
    assert "encryptedToken" not in response.content.decode()


def test_an_unknown_account_is_refused_even_when_signed(post, account):
    data = zoom_example("webinar.created")
    data["payload"]["account_id"] = "not-a-linked-account"
    body = compact(data)
    assert post(body, zoom_headers(secret=account.webhook_secret,
                                           body=body)).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_one_accounts_secret_does_not_verify_another_accounts_events(post, account):
    other = ZoomAccountFactory(webhook_secret="the-other-accounts-secret")
    data = zoom_example("webinar.created")
    data["payload"]["account_id"] = other.zoom_account_id
    body = compact(data)
    assert post(body, zoom_headers(secret=account.webhook_secret,
                                           body=body)).status_code == 401
    assert post(body, zoom_headers(secret=other.webhook_secret,
                                           body=body)).status_code == 200
    assert WebhookDelivery.objects.get().account_key == other.zoom_account_id


def test_a_duplicate_delivery_is_stored_but_changes_nothing(post, account):
    RECORDED.clear()
    body = compact({"event": "test.recorded", "event_ts": 1764600000000,
                    "payload": {"account_id": account.zoom_account_id, "object": {"id": 1}}})
    first = post(body, zoom_headers(secret=account.webhook_secret, body=body))
    again = post(body, zoom_headers(secret=account.webhook_secret, body=body))
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(RECORDED) == 1
    original, duplicate = WebhookDelivery.objects.order_by("pk")
    assert (original.status, original.note) == ("processed",
                                                "recorded event at 1764600000000")
    assert duplicate.status == "duplicate"
    assert duplicate.attempts == 0


@pytest.mark.parametrize("event_ts", [2**63, -(2**64), 1.5, "soon", None])
def test_an_event_time_no_column_holds_is_stored_without_it(post, account, event_ts):
    body = compact({"event": "webinar.created", "event_ts": event_ts,
                    "payload": {"account_id": account.zoom_account_id}})
    assert post(body, zoom_headers(secret=account.webhook_secret, body=body)).status_code == 200
    assert WebhookDelivery.objects.get().event_ts is None


def test_stored_headers_keep_no_credentials(post, account):
    body = signed_example("webinar.created", account)
    headers = {**zoom_headers(secret=account.webhook_secret, body=body),
               "Authorization": "Bearer abc-secret-token", "Cookie": "sessionid=xyz"}
    assert post(body, headers).status_code == 200
    stored = json.dumps(WebhookDelivery.objects.get().headers)
    assert "x-zm-signature" in stored.lower()
    assert "abc-secret-token" not in stored and "sessionid" not in stored
    assert account.webhook_secret not in stored


class TestZoomEndpointSecurity(WebhookEndpointSecurity):
    url = URL
    signature_headers = ("x-zm-signature", "x-zm-request-timestamp")

    @pytest.fixture(autouse=True)
    def _account(self, account):
        self.account = account

    def valid_body(self) -> bytes:
        return signed_example("webinar.registration_created", self.account)

    def sign(self, body, *, age_s=0, secret=None):
        return zoom_headers(secret=secret or self.account.webhook_secret, body=body,
                            timestamp=int(time.time() - age_s))


def test_a_new_webhook_secret_works_at_once_and_the_old_one_stops(post_webhook, linked):
    """The endpoint keeps the secrets it read for a few seconds; a secret changed meanwhile
    (in this process or another) still verifies the very next call."""
    account = linked[0]
    body = compact({"event": "webinar.some_future_event", "event_ts": 1764600000000,
                    "payload": {"account_id": account.zoom_account_id, "object": {"id": 1}}})
    assert post_webhook(URL, body, zoom_headers(secret=account.webhook_secret,
                                                body=body)).status_code == 200
    # changed as another process would: no signal reaches this one
    ZoomAccount.objects.filter(pk=account.pk).update(webhook_secret="rotated-secret-token")
    assert post_webhook(URL, body, zoom_headers(secret="rotated-secret-token",
                                                body=body)).status_code == 200
    assert post_webhook(URL, body, zoom_headers(secret=account.webhook_secret,
                                                body=body)).status_code == 401
