"""Zoom's webhooks about the webinar itself and the account: an update changes the HubSpot
event (a late, older update does not), a deletion cancels it, and removing the app from the
Zoom account stops every sync of it while keeping the mirror."""

from datetime import UTC, datetime

import pytest

from integrations.models import ConnectionStatus, SyncRun, ZoomAccount
from tests.scenarios import sync_one, upcoming_webinar, world
from tests.zoom_webhooks import deliver, payload
from webinars.models import Lifecycle, Registrant, Webinar
from webinars.services.sync import webinar_sync
from webinars.tasks import sync_all_enabled

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 89876543210
EVENT_ID = f"zoom-webinar-{WEBINAR_ID}"
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
NOW_MS = int(datetime.now(UTC).timestamp() * 1000)


@pytest.fixture
def synced(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(webinar_id=WEBINAR_ID,
                                                    registrants=[ALICE])))
    webinar, _ = sync_one(account, WEBINAR_ID)
    return webinar


def updated(ts: int, topic: str) -> dict:
    body = payload("webinar.updated", ts=ts, id=WEBINAR_ID, topic=topic)
    obj = body["payload"]["object"]
    # only the changed fields, as Zoom sends them
    body["payload"]["object"] = {"id": obj["id"], "topic": topic,
                                 "old_object": obj["old_object"]}
    return body


def test_an_update_renames_the_event_and_an_older_one_does_not_undo_it(sandbox, synced):
    assert "Updated" in deliver(updated(NOW_MS, "Roadmap Live, new edition"))
    assert sandbox.marketing_events()[EVENT_ID]["eventName"] == "Roadmap Live, new edition"

    note = deliver(updated(NOW_MS - 60_000, "An earlier title"))

    assert "ignored" in note
    webinar = Webinar.objects.get(pk=synced.pk)
    assert webinar.topic == "Roadmap Live, new edition"
    assert webinar.start_time == synced.start_time  # fields not sent are kept
    assert sandbox.marketing_events()[EVENT_ID]["eventName"] == "Roadmap Live, new edition"


def test_deleting_the_webinar_cancels_its_event(sandbox, synced):
    note = deliver(payload("webinar.deleted", ts=NOW_MS, id=WEBINAR_ID, type=5,
                           occurrences=[]))

    assert "being cancelled" in note
    event = sandbox.marketing_events()[EVENT_ID]
    assert event["eventCancelled"]
    assert [(a["email"], a["state"]) for a in event["attendance"]] == [
        (ALICE["email"], "register")]
    webinar = Webinar.objects.get(pk=synced.pk)
    assert webinar.lifecycle == Lifecycle.DELETED
    assert Registrant.objects.filter(webinar=webinar).count() == 1  # the mirror stays


def test_app_deauthorized_deletes_the_tokens_and_stops_syncing(sandbox, synced, linked):
    account, _ = linked
    assert ZoomAccount.objects.get(pk=account.pk).access_token

    note = deliver(payload("app_deauthorized", account_id=account.zoom_account_id))

    assert "deauthorized" in note
    account.refresh_from_db()
    assert account.status == ConnectionStatus.DEAUTHORIZED
    assert (account.access_token, account.refresh_token) == ("", "")
    assert "reconnect" in account.last_error
    sandbox.reset_calls()
    sync_all_enabled()  # the schedule leaves the account alone
    # and a sync says why it cannot
    run = webinar_sync(webinar=Webinar.objects.get(pk=synced.pk), trigger="sync now")
    assert run.status == SyncRun.Status.FAILED and "deauthorized" in run.error
    assert not [k for k in sandbox.calls()["by_endpoint"] if k.startswith("zoom ")]
    assert Registrant.objects.filter(webinar=synced).count() == 1
    account.refresh_from_db()
    assert account.status == ConnectionStatus.DEAUTHORIZED


def test_a_sync_asked_for_during_a_live_push_runs_after_it(sandbox, synced):
    import threading

    from django.db import connection

    from integrations.runs import sync_run_claim, sync_run_finish
    from webinars.services.runs import KIND_SYNC, webinar_live_run_open, webinar_sync_run_open

    push = webinar_live_run_open(webinar=synced)
    assert not push.joined and sync_run_claim(run=push)

    def push_ends():
        sync_run_finish(run=push, status=SyncRun.Status.SUCCEEDED)
        connection.close()

    timer = threading.Timer(0.5, push_ends)
    timer.start()
    run = webinar_sync_run_open(webinar=synced, trigger="sync now")
    timer.join()

    assert run.kind == KIND_SYNC and not run.joined and run.trigger == "sync now"
    push.refresh_from_db()
    assert push.status == SyncRun.Status.SUCCEEDED
