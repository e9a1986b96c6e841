"""A webinar whose time passed without a session: its HubSpot event is cancelled once, the
schedule stops polling it and the admin says why; a session Zoom reports late is still synced
with Sync now. A recurring webinar's occurrence not held is cancelled on its own."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.models import SyncRun
from tests.scenarios import HOST, iso, recurring_webinar, sync_one, world
from webinars.models import Lifecycle, Webinar
from webinars.services.runs import webinar_runs
from webinars.tasks import sync_all_enabled

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 87770003333
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
CANCEL = "hubspot POST /marketing/v3/marketing-events/events/{externalEventId}/cancel"
# what the schedule asks Zoom for every account, whatever its webinars
DISCOVERY = {"zoom POST /oauth/token", "zoom GET /v2/users", "zoom GET /v2/users/{userId}/webinars"}


def calls_by_endpoint(sandbox) -> dict[str, int]:
    return sandbox.calls()["by_endpoint"]


def align_sandbox_clock(sandbox) -> None:
    """The sandbox's Zoom and HubSpot see the time the product was moved to."""
    behind = (timezone.now() - datetime.fromisoformat(sandbox.clock()["now"])).total_seconds()
    if behind > 1:
        sandbox.advance_clock(behind)


@pytest.fixture
def soon(sandbox, linked):
    """A one-off webinar starting within the hour, with one registrant."""
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)
    sandbox.seed("custom", **world({
        "id": WEBINAR_ID, "topic": "Quarterly Pricing Update", "type": 5,
        "start_time": iso(start), "duration": 45, "host_id": HOST["id"],
        "registrants": [{**ALICE, "create_time": iso(start - timedelta(days=2))}],
    }))
    webinar, _ = sync_one(linked[0], WEBINAR_ID)
    return webinar, start


def test_a_webinar_never_held_is_cancelled_once_and_no_longer_polled(soon, sandbox,
                                                                     admin_client):
    webinar, start = soon
    event_id = f"zoom-webinar-{WEBINAR_ID}"
    assert not sandbox.marketing_events()[event_id]["eventCancelled"]

    # three hours after the start: Zoom may still report the session
    with time_machine.travel(start + timedelta(hours=3), tick=True):
        align_sandbox_clock(sandbox)
        sync_all_enabled()
        assert not sandbox.marketing_events()[event_id]["eventCancelled"]
        assert calls_by_endpoint(sandbox)["zoom GET /v2/past_webinars/{webinarId}/instances"]

    # two days later nothing was held: the event is cancelled, the registration stays
    with time_machine.travel(start + timedelta(days=2), tick=True):
        align_sandbox_clock(sandbox)
        sandbox.reset_calls()
        sync_all_enabled()
        assert calls_by_endpoint(sandbox)[CANCEL] == 1
        run = webinar_runs(webinar=webinar).first()
        assert run.status == SyncRun.Status.SUCCEEDED and run.trigger == "schedule"
        assert run.counts["events_cancelled"] == 1 and "Not held" in run.counts["note"]
        event = sandbox.marketing_events()[event_id]
        assert event["eventCancelled"] and not event["eventCompleted"]
        assert [(a["email"], a["state"]) for a in event["attendance"]] == [
            (ALICE["email"], "register")]
        webinar.refresh_from_db()
        assert webinar.lifecycle == Lifecycle.NOT_HELD
        page = admin_client.get("/admin/webinars/webinar/").content.decode()
        assert "Not held" in page
        detail = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/")
        assert "Zoom reported no session 24 hours after its scheduled end" in (
            detail.content.decode())

        # later scheduled syncs leave it alone: no call about it to Zoom, none to HubSpot
        sandbox.reset_calls()
        runs = webinar_runs(webinar=webinar).count()
        sync_all_enabled()
        sync_all_enabled()
        assert set(calls_by_endpoint(sandbox)) <= DISCOVERY
        assert webinar_runs(webinar=webinar).count() == runs


def test_a_session_zoom_reports_late_is_synced_with_sync_now(soon, sandbox, admin_client):
    webinar, start = soon
    with time_machine.travel(start + timedelta(days=2), tick=True):
        align_sandbox_clock(sandbox)
        sync_all_enabled()
        webinar.refresh_from_db()
        assert webinar.lifecycle == Lifecycle.NOT_HELD

        # Zoom lists the session after all: the schedule does not look, Sync now does
        sandbox._post("zoom/sessions", {
            "webinar_id": WEBINAR_ID, "uuid": "lateSession==", "start_time": iso(start),
            "end_time": iso(start + timedelta(minutes=40)), "participants": [
                {"registrant_email": ALICE["email"], "user_email": ALICE["email"],
                 "join_time": iso(start + timedelta(minutes=2)),
                 "leave_time": iso(start + timedelta(minutes=32))}]})
        sync_all_enabled()
        assert not sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]["eventCompleted"]

        response = admin_client.post("/admin/webinars/webinar/", {
            "action": "sync_now", "_selected_action": [webinar.pk]}, follow=True)
        page = response.content.decode()
        assert "Not held" in page and "Queued a sync of 1 webinar(s)." in page
        assert webinar_runs(webinar=webinar).first().status == SyncRun.Status.SUCCEEDED

    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    assert not event["eventCancelled"] and event["eventCompleted"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == [
        (ALICE["email"], "attend"), (ALICE["email"], "register")]
    alice = sandbox.hubspot_contacts()[ALICE["email"]]
    assert alice["zoomsync_webinars_attended"] == "1"
    webinar.refresh_from_db()
    assert webinar.lifecycle == Lifecycle.ACTIVE


def test_an_occurrence_not_held_cancels_only_its_own_event(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(recurring_webinar(
        webinar_id=85550001111, weeks_ago=(2, 1), weeks_ahead=(1,), registrants=[ALICE],
        # the session two weeks ago never took place; last week's did
        sessions=[]),
    ))
    data = sandbox.state("zoom")["zoom"]["webinars"][0]
    first, second, upcoming = (o["occurrence_id"] for o in data["occurrences"])
    sandbox._post("zoom/sessions", {
        "webinar_id": 85550001111, "uuid": "heldLastWeek==",
        "start_time": data["occurrences"][1]["start_time"], "participants": [
            {"registrant_email": ALICE["email"], "user_email": ALICE["email"],
             "join_time": data["occurrences"][1]["start_time"],
             "leave_time": data["occurrences"][1]["start_time"][:11] + "17:20:00Z"}]})
    webinar, run = sync_one(account, 85550001111)

    events = sandbox.marketing_events()
    not_held, held, ahead = (events[f"zoom-webinar-85550001111-{o}"]
                             for o in (first, second, upcoming))
    assert not_held["eventCancelled"] and not not_held["eventCompleted"]
    assert held["eventCompleted"] and not held["eventCancelled"]
    assert not ahead["eventCancelled"] and not ahead["eventCompleted"]
    assert run.counts["events_cancelled"] == 1
    webinar = Webinar.objects.get(pk=webinar.pk)
    assert webinar.lifecycle == Lifecycle.ACTIVE  # its next session is still to come
    assert dict(webinar.instances.values_list("occurrence_id", "lifecycle")) == {
        first: Lifecycle.NOT_HELD, second: Lifecycle.ACTIVE, upcoming: Lifecycle.ACTIVE}

    # a second sync cancels nothing again and writes nothing
    sandbox.reset_calls()
    sync_one(account, 85550001111)
    assert sandbox.hubspot_calls().get(CANCEL) is None


def test_a_webinar_moved_to_a_later_date_is_polled_again_and_its_event_reopened(soon, sandbox):
    webinar, start = soon
    later = start + timedelta(days=7)
    with time_machine.travel(start + timedelta(days=2), tick=True):
        align_sandbox_clock(sandbox)
        sync_all_enabled()
        assert sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]["eventCancelled"]

        # the host moves it to next week in Zoom; the schedule's discovery sees the new date
        moved = sandbox.zoom("PATCH", f"/webinars/{WEBINAR_ID}",
                             json={"start_time": iso(later)})
        assert moved.status_code == 204, moved.text
        sync_all_enabled()

    webinar.refresh_from_db()
    assert webinar.lifecycle == Lifecycle.ACTIVE
    assert webinar_runs(webinar=webinar).first().status == SyncRun.Status.SUCCEEDED
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    assert not event["eventCancelled"]
    assert event["startDateTime"].startswith(iso(later)[:16])
