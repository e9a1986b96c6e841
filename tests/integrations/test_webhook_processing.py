"""Processing stored deliveries: handlers' outcomes, reprocessing (command and admin), and the
delivery log in the admin."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import WebhookDelivery, WebhookInbox
from integrations.services.webhooks import (
    webhook_delivery_store,
    webhook_inbox_drain,
    webhook_inbox_drain_queue,
)
from tests.webhooks import BATCHES, FAILING, RECORDED, compact, zoom_headers

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


def store(event: str, *, n: int, **fields) -> WebhookDelivery:
    """Stores a delivery as the endpoint does (its processing queued when it commits)."""
    body = {"event": event, "event_ts": 1764600000000 + n, "n": n, **fields}
    return webhook_delivery_store(
        provider="zoom", event_type=event, dedupe_key=f"zoom:test:{event}:{n}",
        account_key="test", event_ts=body["event_ts"], headers={}, body=json.dumps(body),
        remote_ip=None)


def test_a_burst_of_events_is_processed_in_batches(db, settings,
                                                   django_capture_on_commit_callbacks):
    """Events stored together are processed by one task, a batch at a time, in event order."""
    settings.WEBHOOK_DRAIN_BATCH = 4
    RECORDED.clear()
    BATCHES.clear()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with transaction.atomic():
            for n in reversed(range(10)):
                store("test.batched", n=n)
    assert len(queued) == 1  # one drain for the ten
    assert BATCHES == [4, 4, 2]
    assert [payload["n"] for payload in RECORDED] == list(range(10))
    notes = WebhookDelivery.objects.values_list("status", "note", "attempts", "claimed_at")
    assert sorted(set(notes)) == [("processed", "in a batch of 2", 1, None),
                                  ("processed", "in a batch of 4", 1, None)]


def test_an_event_that_breaks_its_batch_fails_alone(db, django_capture_on_commit_callbacks):
    RECORDED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n in range(3):
                store("test.batched", n=n, breaks=n == 1)
    outcome = dict(WebhookDelivery.objects.values_list("event_ts", "status"))
    assert list(outcome.values()).count("processed") == 2
    broken = WebhookDelivery.objects.get(status="failed")
    assert (broken.error, broken.attempts) == ("ValueError: this event breaks", 1)
    assert [payload["n"] for payload in RECORDED] == [0, 2]


def test_a_drain_is_asked_for_once_until_it_starts(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        assert webhook_inbox_drain_queue() is True
        assert webhook_inbox_drain_queue() is False
    assert len(queued) == 1
    webhook_inbox_drain()  # a worker takes it: the next delivery asks again
    assert webhook_inbox_drain_queue() is True
    # a drain asked for long ago that never started (its worker died) is asked for again
    WebhookInbox.objects.update(drain_queued_at=timezone.now() - timedelta(minutes=11))
    assert webhook_inbox_drain_queue() is True


def test_a_delivery_another_worker_is_processing_is_left_to_it_unless_that_worker_died(db):
    RECORDED.clear()
    with transaction.atomic():  # never commits here: nothing processes them on the way
        busy, abandoned = store("test.recorded", n=1), store("test.recorded", n=2)
    WebhookDelivery.objects.filter(pk=busy.pk).update(claimed_at=timezone.now())
    WebhookDelivery.objects.filter(pk=abandoned.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=11))
    assert webhook_inbox_drain() == {"processed": 1}
    busy.refresh_from_db()
    abandoned.refresh_from_db()
    assert (busy.status, abandoned.status) == ("pending", "processed")
    assert [payload["n"] for payload in RECORDED] == [2]


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
