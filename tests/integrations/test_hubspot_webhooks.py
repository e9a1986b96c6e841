"""POST /webhooks/hubspot/: a batch signed with the linked portal's client secret (v3, or v1
for older apps) is stored one delivery per event, deduped by eventId."""

import time

import pytest

from integrations.models import HubSpotPortal, WebhookDelivery
from tests.factories import HubSpotPortalFactory
from tests.integrations.webhook_security import WebhookEndpointSecurity
from tests.webhooks import RECORDED, compact, hubspot_event, hubspot_v1_headers, hubspot_v3_headers

URL = "/webhooks/hubspot/"
SECRET = "hubspot-app-client-secret-Qe41"


@pytest.fixture
def portal(linked) -> HubSpotPortal:
    _account, portal = linked
    portal.client_secret = SECRET
    portal.save()
    return portal


@pytest.fixture
def post(post_webhook):
    return lambda body, headers: post_webhook(URL, body, headers)


def public_uri(settings) -> str:
    return settings.PUBLIC_BASE_URL + URL


def test_each_event_of_a_batch_is_its_own_delivery_in_event_order(post, portal, settings):
    RECORDED.clear()
    body = compact([
        hubspot_event(portal_id=portal.hub_id, event_id=12, kind="test.recorded",
                      occurred_at=1764600002000),
        hubspot_event(portal_id=portal.hub_id, event_id=11, kind="test.recorded",
                      occurred_at=1764600001000),
        hubspot_event(portal_id=portal.hub_id, event_id=13, kind="contact.creation",
                      occurred_at=1764600003000),
    ])
    response = post(body, hubspot_v3_headers(secret=SECRET, uri=public_uri(settings), body=body))
    assert response.status_code == 200, response.content
    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [(d.event_type, d.event_ts, d.status, d.account_key) for d in deliveries] == [
        ("test.recorded", 1764600001000, "processed", portal.hub_id),
        ("test.recorded", 1764600002000, "processed", portal.hub_id),
        ("contact.creation", 1764600003000, "ignored", portal.hub_id),
    ]
    assert [payload["eventId"] for payload in RECORDED] == [11, 12]
    assert all(d.signature_valid for d in deliveries)


def test_an_event_delivered_again_changes_nothing(post, portal, settings):
    RECORDED.clear()
    first = compact([hubspot_event(portal_id=portal.hub_id, event_id=21, kind="test.recorded")])
    retry = compact([
        hubspot_event(portal_id=portal.hub_id, event_id=21, kind="test.recorded",
                      attemptNumber=1),
        hubspot_event(portal_id=portal.hub_id, event_id=22, kind="test.recorded"),
    ])
    for body in (first, retry):
        assert post(body, hubspot_v3_headers(secret=SECRET, uri=public_uri(settings),
                                             body=body)).status_code == 200
    assert sorted(payload["eventId"] for payload in RECORDED) == [21, 22]
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == [
        "duplicate", "processed", "processed"]


def test_an_event_time_no_column_holds_is_stored_without_it(post, portal, settings):
    body = compact([hubspot_event(portal_id=portal.hub_id, event_id=81, occurred_at=2**63),
                    hubspot_event(portal_id=portal.hub_id, event_id=82, occurred_at="now")])
    response = post(body, hubspot_v3_headers(secret=SECRET, uri=public_uri(settings), body=body))
    assert response.status_code == 200
    assert list(WebhookDelivery.objects.values_list("event_ts", flat=True)) == [None, None]


def test_older_apps_sign_with_v1(post, portal):
    body = compact([hubspot_event(portal_id=portal.hub_id, event_id=31)])
    assert post(body, hubspot_v1_headers(secret=SECRET, body=body)).status_code == 200
    assert post(body, hubspot_v1_headers(secret="wrong", body=body)).status_code == 401
    assert WebhookDelivery.objects.count() == 1


def test_behind_a_proxy_the_forwarded_uri_is_the_signed_one(post, portal):
    body = compact([hubspot_event(portal_id=portal.hub_id, event_id=41)])
    uri = "https://hooks.example.org/webhooks/hubspot/"
    headers = {**hubspot_v3_headers(secret=SECRET, uri=uri, body=body),
               "X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.org"}
    assert post(body, headers).status_code == 200
    elsewhere = hubspot_v3_headers(secret=SECRET, uri="https://elsewhere.example/webhooks/"
                                   "hubspot/", body=body)
    assert post(body, elsewhere).status_code == 401


def test_an_unlinked_portal_is_refused(post, portal, settings):
    body = compact([hubspot_event(portal_id=portal.hub_id, event_id=51),
                    hubspot_event(portal_id=99999999, event_id=52)])
    headers = hubspot_v3_headers(secret=SECRET, uri=public_uri(settings), body=body)
    assert post(body, headers).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_portal_without_a_client_secret_accepts_nothing(post, portal, settings):
    portal.client_secret = ""
    portal.save()
    body = compact([hubspot_event(portal_id=portal.hub_id, event_id=61)])
    for secret in (SECRET, ""):
        headers = hubspot_v3_headers(secret=secret, uri=public_uri(settings), body=body)
        assert post(body, headers).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_each_portal_is_checked_with_its_own_secret(post, portal, settings):
    other = HubSpotPortalFactory(client_secret="the-other-apps-secret")
    body = compact([hubspot_event(portal_id=other.hub_id, event_id=71)])
    assert post(body, hubspot_v3_headers(secret=SECRET, uri=public_uri(settings),
                                         body=body)).status_code == 401
    assert post(body, hubspot_v3_headers(secret="the-other-apps-secret",
                                         uri=public_uri(settings), body=body)).status_code == 200


@pytest.mark.parametrize("body", [b"{}", b"[]", b"[1, 2]", b'"text"', b'[{"portalId": null}]'])
def test_a_body_that_is_no_batch_of_events_is_refused(post, portal, settings, body):
    response = post(body, hubspot_v3_headers(secret=SECRET, uri=public_uri(settings), body=body))
    assert 400 <= response.status_code < 500
    assert not WebhookDelivery.objects.exists()


class TestHubSpotEndpointSecurity(WebhookEndpointSecurity):
    url = URL
    signature_headers = ("X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp")

    @pytest.fixture(autouse=True)
    def _portal(self, portal, settings):
        self.portal, self.uri = portal, public_uri(settings)

    def valid_body(self) -> bytes:
        return compact([hubspot_event(portal_id=self.portal.hub_id, event_id=1)])

    def sign(self, body, *, age_s=0, secret=None):
        return hubspot_v3_headers(secret=secret or SECRET, uri=self.uri, body=body,
                                  timestamp_ms=int((time.time() - age_s) * 1000))
