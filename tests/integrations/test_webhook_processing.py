"""Processing stored deliveries: handlers' outcomes, reprocessing (command and admin), and the
delivery log in the admin."""

import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from integrations.models import WebhookDelivery
from tests.webhooks import FAILING, RECORDED, compact, zoom_headers

URL = "/webhooks/zoom/"


@pytest.fixture
def account(linked):
    return linked[0]


@pytest.fixture
def send(post_webhook, account):
    """Zoom sends `event` (a made-up one a test handler is registered for, or any)."""

    def send(event: str, *, event_ts: int = 1764600000000, object_id: int = 1):
        body = compact({"event": event, "event_ts": event_ts, "payload": {
            "account_id": account.zoom_account_id, "object": {"id": object_id}}})
        response = post_webhook(URL, body, zoom_headers(secret=account.webhook_secret,
                                                        body=body))
        assert response.status_code == 200
        return WebhookDelivery.objects.latest("pk")

    return send


@pytest.fixture
def broken_handler():
    FAILING["broken"] = True
    yield FAILING
    FAILING["broken"] = True


def test_an_event_nobody_handles_is_stored_and_ignored(send):
    delivery = send("webinar.some_future_event")
    assert (delivery.status, delivery.error, delivery.attempts) == ("ignored", "", 1)
    assert delivery.processed_at is not None


def test_a_failing_handler_leaves_a_failed_delivery_with_its_error(send, broken_handler):
    delivery = send("test.failing")
    assert delivery.status == "failed"
    assert delivery.error == "RuntimeError: the handler broke"


def test_reprocess_command_retries_failed_deliveries_only(send, broken_handler, capsys):
    RECORDED.clear()
    failed = send("test.failing")
    processed = send("test.recorded")
    broken_handler["broken"] = False
    call_command("reprocess_webhooks", "--failed")
    failed.refresh_from_db()
    processed.refresh_from_db()
    assert (failed.status, failed.error, failed.note, failed.attempts) == (
        "processed", "", "worked this time", 2)
    assert processed.attempts == 1 and len(RECORDED) == 1
    assert "Reprocessed 1 deliveries: 1 processed." in capsys.readouterr().out


def test_reprocess_command_replays_in_event_order_since_a_date(send, db):
    RECORDED.clear()
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        old = WebhookDelivery.objects.create(provider="zoom", event_type="test.recorded",
                                             body='{"event_ts": 1}', signature_valid=True,
                                             status="processed", event_ts=1)
    later = send("test.recorded", event_ts=1764600009000, object_id=2)
    earlier = send("test.recorded", event_ts=1764600001000, object_id=3)
    RECORDED.clear()
    call_command("reprocess_webhooks", "--since", "2026-03-02")
    assert [payload["payload"]["object"]["id"] for payload in RECORDED] == [3, 2]
    old.refresh_from_db()
    assert old.attempts == 0
    assert {later.pk, earlier.pk} == set(
        WebhookDelivery.objects.filter(attempts=2).values_list("pk", flat=True))


def test_reprocess_command_refuses_a_bad_date(db):
    with pytest.raises(Exception, match="not an ISO date"):
        call_command("reprocess_webhooks", "--since", "yesterday")


def test_a_duplicate_is_never_reprocessed(send):
    RECORDED.clear()
    send("test.recorded")
    duplicate = send("test.recorded")
    assert duplicate.status == "duplicate"
    call_command("reprocess_webhooks")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.attempts) == ("duplicate", 0)
    assert len(RECORDED) == 2  # the original, processed on arrival and once more


def staff(django_user_model, name, *codenames):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw-123456!",
                                                 is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_admin_reprocess_action(client, send, broken_handler, django_user_model):
    failed = send("test.failing")
    broken_handler["broken"] = False
    client.force_login(staff(django_user_model, "ops", "view_webhookdelivery",
                             "change_webhookdelivery"))
    response = client.post(reverse("admin:integrations_webhookdelivery_changelist"),
                           {"action": "reprocess", "_selected_action": [failed.pk]},
                           follow=True)
    assert "Reprocessed: 1 processed." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "processed"


def test_staff_who_may_only_view_see_the_log_but_cannot_reprocess(
        client, send, broken_handler, django_user_model):
    failed = send("test.failing")
    client.force_login(staff(django_user_model, "viewer", "view_webhookdelivery"))
    changelist = reverse("admin:integrations_webhookdelivery_changelist")
    page = client.get(changelist).content.decode()
    assert "test.failing" in page and "Reprocess" not in page
    client.post(changelist, {"action": "reprocess", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.attempts == 1


def test_a_delivery_page_is_read_only_with_its_body_pretty_printed(
        admin_client, send, broken_handler, account):
    failed = send("test.failing")
    page = admin_client.get(reverse("admin:integrations_webhookdelivery_change",
                                    args=[failed.pk])).content.decode()
    assert "RuntimeError: the handler broke" in page
    assert "&quot;account_id&quot;: &quot;" + account.zoom_account_id in page
    assert '<input type="submit" value="Save"' not in page
    assert account.webhook_secret not in page
    filtered = admin_client.get(reverse("admin:integrations_webhookdelivery_changelist"),
                                {"status": "failed", "provider": "zoom",
                                 "event_type": "test.failing"})
    assert "test.failing" in filtered.content.decode()


def test_account_pages_show_the_webhook_urls(admin_client, linked, settings):
    settings.PUBLIC_BASE_URL = "https://sync.example.com"
    account, portal = linked
    zoom = admin_client.get(reverse("admin:integrations_zoomaccount_change", args=[account.pk]))
    hubspot = admin_client.get(reverse("admin:integrations_hubspotportal_change",
                                       args=[portal.pk]))
    assert "https://sync.example.com/webhooks/zoom/" in zoom.content.decode()
    assert "https://sync.example.com/webhooks/hubspot/" in hubspot.content.decode()


def test_the_view_only_stores_and_queues(send, sandbox):
    """The endpoint answers without calling Zoom or HubSpot (Zoom waits 3 s at most)."""
    sandbox.reset_calls()
    started = time.monotonic()
    send("webinar.some_future_event")
    assert time.monotonic() - started < 3
    assert sandbox.calls()["by_endpoint"] == {}
