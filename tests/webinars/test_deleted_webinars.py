"""Webinars deleted in Zoom: an upcoming one has its HubSpot event cancelled and is no longer
synced; a past one is still synced (and backfilled) from Zoom's reports; a deleted occurrence
of a recurring webinar cancels that session's event only."""

import pytest
from django.core.management import call_command

from integrations.models import SyncRun
from tests.scenarios import past_webinar, recurring_webinar, sync_one, upcoming_webinar, world
from webinars.models import Lifecycle, Registrant, Webinar
from webinars.services.runs import webinar_runs
from webinars.services.sync import webinar_sync
from webinars.tasks import sync_all_enabled

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "status": "approved"}
UPCOMING_ID, PAST_ID, RECURRING_ID = 89876543210, 81234567890, 85550001111
CANCEL = "hubspot POST /marketing/v3/marketing-events/events/{externalEventId}/cancel"
DISCOVERY = {"zoom POST /oauth/token", "zoom GET /v2/users", "zoom GET /v2/users/{userId}/webinars"}
REGISTRANTS = "zoom GET /v2/webinars/{webinarId}/registrants"


def delete_in_zoom(sandbox, zoom_id, **params):
    response = sandbox.zoom("DELETE", f"/webinars/{zoom_id}", params=params)
    assert response.status_code == 204, response.text


def states(event) -> list[tuple[str, str]]:
    return sorted((a["email"], a["state"]) for a in event["attendance"])


def test_deleting_an_upcoming_webinar_cancels_its_event_and_stops_its_syncs(
        sandbox, linked, admin_client):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[ALICE, BOB])))
    webinar, _ = sync_one(account, UPCOMING_ID)
    event_id = f"zoom-webinar-{UPCOMING_ID}"
    assert not sandbox.marketing_events()[event_id]["eventCancelled"]

    delete_in_zoom(sandbox, UPCOMING_ID, cancel_webinar_reminder="true")
    sync_all_enabled()  # the schedule notices

    run = webinar_runs(webinar=webinar).first()
    assert run.trigger == "schedule" and run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["events_cancelled"] == 1 and "Deleted in Zoom" in run.counts["note"]
    event = sandbox.marketing_events()[event_id]
    assert event["eventCancelled"] and not event["eventCompleted"]
    assert states(event) == [(ALICE["email"], "register"), (BOB["email"], "register")]
    webinar.refresh_from_db()
    assert webinar.lifecycle == Lifecycle.DELETED
    # what was read before the deletion stays in the mirror
    assert Registrant.objects.filter(webinar=webinar).count() == 2
    assert "Deleted in Zoom" in admin_client.get("/admin/webinars/webinar/").content.decode()

    # from now on the schedule makes no call about it, to Zoom or HubSpot
    sandbox.reset_calls()
    sync_all_enabled()
    assert set(sandbox.calls()["by_endpoint"]) <= DISCOVERY
    assert webinar_runs(webinar=webinar).first() == run

    # Sync now explains instead of failing, and cancels nothing twice
    response = admin_client.post("/admin/webinars/webinar/", {
        "action": "sync_now", "_selected_action": [webinar.pk]}, follow=True)
    assert "Its HubSpot events were cancelled" in response.content.decode()
    again = webinar_runs(webinar=webinar).first()
    assert again.trigger == "sync now" and again.status == SyncRun.Status.SUCCEEDED
    assert "Deleted in Zoom" in again.counts["note"]
    assert sandbox.calls()["by_endpoint"].get(CANCEL) is None
    assert REGISTRANTS not in sandbox.calls()["by_endpoint"]


def test_a_deleted_past_webinar_still_backfills(sandbox, linked, capsys):
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=PAST_ID, days_ago=60, registrants=[ALICE, BOB],
        participants=[(ALICE["email"], 0, 45), (BOB["email"], 10, 40)])))
    delete_in_zoom(sandbox, PAST_ID)

    call_command("sync_webinars", "--backfill", "--all", "--no-progress")

    assert "✔ Pipeline Masterclass:" in capsys.readouterr().out
    webinar = Webinar.objects.get(zoom_id=str(PAST_ID))
    assert webinar.lifecycle == Lifecycle.DELETED and webinar.last_sync_status == "succeeded"
    contacts = sandbox.hubspot_contacts()
    assert set(contacts) == {ALICE["email"], BOB["email"]}
    assert contacts[ALICE["email"]]["zoomsync_webinars_attended"] == "1"
    event = sandbox.marketing_events()[f"zoom-webinar-{PAST_ID}"]
    assert event["eventCompleted"] and not event["eventCancelled"]
    assert states(event) == [(ALICE["email"], "attend"), (BOB["email"], "attend")]
    # Zoom answers 404 for its registrants: none was asked for
    assert REGISTRANTS not in sandbox.calls()["by_endpoint"]


def test_a_past_webinar_deleted_after_its_sync_keeps_syncing_from_zoom_reports(
        sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=PAST_ID, registrants=[ALICE, BOB], participants=[(ALICE["email"], 0, 45)])))
    webinar, _ = sync_one(account, PAST_ID)
    delete_in_zoom(sandbox, PAST_ID)
    sandbox.reset_calls()

    run = webinar_sync(webinar=webinar, trigger="test")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["registrants"] == 2  # as last read
    assert "still synced from Zoom's reports" in run.counts["note"]
    assert REGISTRANTS not in sandbox.calls()["by_endpoint"]
    assert sandbox.hubspot_calls() == {}  # nothing new: nothing written, nothing cancelled
    event = sandbox.marketing_events()[f"zoom-webinar-{PAST_ID}"]
    assert not event["eventCancelled"] and event["eventCompleted"]
    # still polled: Zoom's reports of what it held remain
    sandbox.reset_calls()
    sync_all_enabled()
    assert "zoom GET /v2/past_webinars/{webinarId}/instances" in sandbox.calls()["by_endpoint"]


def test_deleting_one_occurrence_cancels_that_sessions_event_only(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(recurring_webinar(
        webinar_id=RECURRING_ID, weeks_ago=(1,), weeks_ahead=(1, 2), registrants=[ALICE],
        sessions=[("heldUUID==", [(ALICE["email"], 0, 30)])])))
    webinar, _ = sync_one(account, RECURRING_ID)
    held, next_week, later = (o["occurrence_id"] for o in
                              sandbox.state("zoom")["zoom"]["webinars"][0]["occurrences"])

    delete_in_zoom(sandbox, RECURRING_ID, occurrence_id=next_week)
    sandbox.reset_calls()
    webinar, run = sync_one(account, RECURRING_ID)

    assert run.counts["events_cancelled"] == 1 and "note" not in run.counts
    assert sandbox.calls()["by_endpoint"][CANCEL] == 1
    events = sandbox.marketing_events()
    assert events[f"zoom-webinar-{RECURRING_ID}-{next_week}"]["eventCancelled"]
    assert not events[f"zoom-webinar-{RECURRING_ID}-{later}"]["eventCancelled"]
    assert events[f"zoom-webinar-{RECURRING_ID}-{held}"]["eventCompleted"]
    webinar.refresh_from_db()
    assert webinar.lifecycle == Lifecycle.ACTIVE
    sandbox.reset_calls()
    sync_one(account, RECURRING_ID)
    assert sandbox.hubspot_calls() == {}
