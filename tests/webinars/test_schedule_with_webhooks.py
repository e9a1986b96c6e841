"""With Zoom's webhooks on, the schedule asks Zoom only about what can still change: a finished
webinar with final attendance costs no call, upcoming ones are re-read hourly."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import SyncRun, WebhookDelivery, ZoomAccount
from tests.scenarios import past_webinar, sync_one, upcoming_webinar, world
from tests.webhooks import zoom_example, zoom_headers
from webinars.models import Webinar
from webinars.tasks import sync_all_enabled

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "status": "approved"}
PAST_ID, UPCOMING_ID = 81234567890, 89876543210
REGISTRANTS = "zoom GET /v2/webinars/{webinarId}/registrants"


def zoom_calls(sandbox) -> int:
    return sum(n for endpoint, n in sandbox.calls()["by_endpoint"].items()
               if endpoint.startswith("zoom "))


def webhooks_on(client, account):
    """Zoom's subscription works: one signed delivery (any event) reached the inbox."""
    body = zoom_example("meeting.alert")
    body["payload"]["account_id"] = account.zoom_account_id
    raw = json.dumps(body).encode()
    response = client.post("/webhooks/zoom/", raw, content_type="application/json",
                           headers=zoom_headers(secret=account.webhook_secret, body=raw))
    assert response.status_code == 200, response.content


def schedule_runs() -> int:
    return SyncRun.objects.filter(trigger="schedule").count()


@pytest.fixture
def finished(sandbox, linked):
    """A webinar held two days ago, synced once: its attendance is final."""
    account = linked[0]
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=PAST_ID, registrants=[ALICE, BOB],
        participants=[(ALICE["email"], 0, 45)])))
    webinar, _ = sync_one(account, PAST_ID)
    return account, webinar


def test_a_finished_webinar_costs_no_zoom_call_per_pass_with_webhooks_on(
        finished, sandbox, client):
    account, webinar = finished
    # without webhooks the pass re-reads it all: its registrants, sessions, report
    sandbox.reset_calls()
    sync_all_enabled()
    before = zoom_calls(sandbox)
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] >= 1 and schedule_runs() == 1

    webhooks_on(client, account)
    sandbox.reset_calls()
    sync_all_enabled()
    sync_all_enabled()
    assert (before, zoom_calls(sandbox)) == (before, 0)
    assert schedule_runs() == 1  # nothing queued for it
    webinar.refresh_from_db()
    assert webinar.last_sync_status == "succeeded"

    # a failed last sync (HubSpot down, say) is tried again on the next pass
    Webinar.objects.filter(pk=webinar.pk).update(last_sync_status=SyncRun.Status.FAILED)
    sync_all_enabled()
    assert schedule_runs() == 2
    webinar.refresh_from_db()
    assert webinar.last_sync_status == "succeeded"
    sandbox.reset_calls()
    sync_all_enabled()
    assert zoom_calls(sandbox) == 0

    # webhooks quiet for a day: the pass polls Zoom again as before
    WebhookDelivery.objects.update(received_at=timezone.now() - timedelta(hours=25))
    sandbox.reset_calls()
    sync_all_enabled()
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] >= 1 and schedule_runs() == 3


def test_with_webhooks_on_upcoming_webinars_are_reread_hourly(sandbox, linked, client):
    account = linked[0]
    sandbox.seed("custom", **world(upcoming_webinar(webinar_id=UPCOMING_ID, registrants=[BOB])))
    webinar, _ = sync_one(account, UPCOMING_ID)
    webhooks_on(client, account)

    sync_all_enabled()  # the account's webinars were never listed by the schedule: listed now
    sandbox.reset_calls()
    sync_all_enabled()
    assert zoom_calls(sandbox) == 0 and schedule_runs() == 0  # synced a moment ago

    an_hour_ago = timezone.now() - timedelta(minutes=61)
    Webinar.objects.filter(pk=webinar.pk).update(last_synced_at=an_hour_ago)
    ZoomAccount.objects.filter(pk=account.pk).update(webinars_listed_at=an_hour_ago)
    sync_all_enabled()
    assert schedule_runs() == 1
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] >= 1
    assert "zoom GET /v2/users/{userId}/webinars" in sandbox.calls()["by_endpoint"]
