"""Recurring webinars, attendance Zoom has not finished, incremental pushes and progress."""

import pytest

from integrations.models import SyncRun
from tests.scenarios import past_webinar, recurring_webinar, sync_one, upcoming_webinar, world
from webinars.models import AttendanceSession, Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "last_name": "Baker",
       "status": "approved"}
# Zoom UUIDs that must be double-encoded in a path: one starts with "/", one contains "//".
UUID_SLASH = "/aB3dE5fG7hI9jK1lM3nO5p=="
UUID_DOUBLE = "qR7sT9//uV1wX3yZ5aB7cD=="
REGISTER = "hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/" \
           "{subscriberState}/email-create"



def states(event) -> list[tuple[str, str]]:
    return sorted((a["email"], a["state"]) for a in event["attendance"])


# --- recurring webinars -------------------------------------------------------------------

def test_each_session_of_a_recurring_webinar_is_its_own_event(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(recurring_webinar(
        registrants=[ALICE, BOB],
        sessions=[(UUID_SLASH, [(ALICE["email"], 0, 30), (BOB["email"], 0, 15)]),
                  (UUID_DOUBLE, [(ALICE["email"], 5, 20)])],
    )))
    webinar, _ = sync_one(account, 85550001111)

    occurrences = [o["occurrence_id"]
                   for o in sandbox.state("zoom")["zoom"]["webinars"][0]["occurrences"]]
    events = sandbox.marketing_events()
    ids = [f"zoom-webinar-85550001111-{o}" for o in occurrences]
    assert sorted(events) == sorted(ids)
    first, second, upcoming = (events[i] for i in ids)
    assert first["eventCompleted"] and second["eventCompleted"]
    assert not upcoming["eventCompleted"]
    assert first["eventName"].startswith("Weekly Platform Demo (")
    alice, bob = ALICE["email"], BOB["email"]
    assert states(first) == [(alice, "attend"), (alice, "register"), (bob, "attend"),
                             (bob, "register")]
    assert states(second) == [(alice, "attend"), (alice, "register"), (bob, "register")]
    assert states(upcoming) == [(alice, "register"), (bob, "register")]
    # both UUIDs reached Zoom double-encoded: their participants are in the mirror
    assert set(AttendanceSession.objects.values_list("zoom_uuid", flat=True)) == {
        UUID_SLASH, UUID_DOUBLE}

    contacts = sandbox.hubspot_contacts()
    # a recurring webinar is one registration; each attended session counts
    assert contacts[alice]["zoomsync_webinar_registrations"] == "1"
    assert contacts[alice]["zoomsync_webinars_attended"] == "2"
    assert contacts[alice]["zoomsync_avg_attendance_pct"] == "75.0"  # 100 % and 50 %
    assert contacts[alice]["zoomsync_avg_attendance_minutes"] == "22.5"
    assert contacts[bob]["zoomsync_webinars_attended"] == "1"
    assert contacts[bob]["zoomsync_avg_attendance_pct"] == "50.0"

    # a re-sync keeps the same event ids and writes nothing
    before = sandbox.state("hubspot")
    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sandbox.hubspot_calls() == {}
    assert sandbox.state("hubspot") == before
    assert sorted(i.external_event_id for i in webinar.instances.all()) == sorted(ids)


# --- attendance Zoom has not finished -----------------------------------------------------

def test_participants_without_duration_are_fetched_again_and_completed_once(sandbox, linked):
    account, _ = linked
    alice, bob = ALICE["email"], BOB["email"]
    # Ended five minutes ago: Zoom lists the participants but has no durations yet.
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE, BOB], participants=[(alice, 0, 0), (bob, 0, 0)],
        ended_minutes_ago=5)))
    sandbox.zoom_participants("pastUUID111==", durations_computed=False)
    webinar, run = sync_one(account, 81234567890)

    assert run.counts["sessions_waiting"] == 1
    instance = webinar.instances.get()
    assert "still computing" in instance.attendance_waiting
    assert not AttendanceSession.objects.exists()  # nothing stored as zero minutes
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert not event["eventCompleted"]
    assert states(event) == [(alice, "register"), (bob, "register")]
    assert sandbox.hubspot_contacts()[alice]["zoomsync_webinars_attended"] == "0"

    # Zoom finishes the report: each person's row gets its real leave time.
    sandbox.zoom_participants("pastUUID111==", leave_minutes={alice: 45, bob: 30})
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["sessions_waiting"] == 0
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert event["eventCompleted"]
    assert states(event) == [(alice, "attend"), (alice, "register"), (bob, "attend"),
                             (bob, "register")]
    contacts = sandbox.hubspot_contacts()
    assert contacts[alice]["zoomsync_avg_attendance_pct"] == "75.0"
    assert contacts[bob]["zoomsync_avg_attendance_minutes"] == "30.0"
    instance.refresh_from_db()
    assert instance.attendance_waiting == "" and instance.hubspot_completed_at

    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sandbox.hubspot_calls() == {}  # completed once, attendance recorded once


def test_a_session_whose_report_is_not_ready_waits_for_the_next_sync(sandbox, linked):
    account, _ = linked
    alice = ALICE["email"]
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE], participants=[(alice, 0, 40)], ended_minutes_ago=2)))
    # Zoom lists the session but answers 404 for its report for a while after the end.
    sandbox.zoom_report("pastUUID111==", ready=False)
    webinar, run = sync_one(account, 81234567890)

    assert run.counts["sessions_waiting"] == 1
    assert "report" in webinar.instances.get().attendance_waiting
    calls = sandbox.calls()["by_endpoint"]
    assert "zoom GET /v2/report/webinars/{webinarId}/participants" not in calls
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert not event["eventCompleted"] and states(event) == [(alice, "register")]

    sandbox.zoom_report("pastUUID111==", ready=True)
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert event["eventCompleted"]
    assert states(event) == [(alice, "attend"), (alice, "register")]
    assert sandbox.hubspot_contacts()[alice]["zoomsync_avg_attendance_minutes"] == "40.0"


def test_settled_attendance_is_not_fetched_again(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[ALICE], participants=[(ALICE["email"], 0, 40)], days_ago=3)))
    webinar, _ = sync_one(account, 81234567890)
    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    calls = sandbox.calls()["by_endpoint"]
    # stored complete days after the session: no more report or participant calls for it
    assert "zoom GET /v2/report/webinars/{webinarId}" not in calls
    assert "zoom GET /v2/report/webinars/{webinarId}/participants" not in calls
    assert sandbox.hubspot_calls() == {}


# --- incremental pushes -------------------------------------------------------------------

def test_ten_new_registrations_cost_four_hubspot_calls(sandbox, linked):
    account, _ = linked
    crowd = [{"email": f"person{i}@crowd.example", "first_name": "Person",
              "last_name": str(i), "status": "approved"} for i in range(650)]
    sandbox.seed("custom", **world(upcoming_webinar(registrants=crowd)))
    webinar, _ = sync_one(account, 89876543210)
    sandbox.reset_calls()

    for i in range(10):
        response = sandbox.zoom("POST", "/webinars/89876543210/registrants",
                                json={"email": f"late{i}@new.example", "first_name": "Late"})
        assert response.status_code == 201, response.text
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    assert sandbox.hubspot_calls() == {
        "hubspot POST /crm/v3/objects/contacts/batch/read": 1,
        # are the new addresses other contacts' secondary e-mails?
        "hubspot POST /crm/v3/objects/contacts/search": 1,
        "hubspot POST /crm/v3/objects/contacts/batch/upsert": 1,
        REGISTER: 1,
    }
    assert run.counts["contacts_pushed"] == 10 and run.counts["attendance_recorded"] == 10
    contacts = sandbox.hubspot_contacts()
    assert len(contacts) == 660
    assert contacts["late3@new.example"]["zoomsync_webinar_registrations"] == "1"
    event = sandbox.marketing_events()["zoom-webinar-89876543210"]
    assert len(event["attendance"]) == 660

    sandbox.reset_calls()
    webinar_sync(webinar=webinar, trigger="test")
    assert sandbox.hubspot_calls() == {}


# --- progress -----------------------------------------------------------------------------

def test_a_run_counts_progress_in_records(sandbox, linked):
    account, _ = linked
    seeded = sandbox.seed("bench", webinars=1, registrants=650, attendees=400)
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    webinar.sync_enabled = True
    webinar.save()
    seen = []

    def on_progress(run):
        stored = SyncRun.objects.get(pk=run.pk)
        seen.append((run.done, run.total, run.counts.get("step"), stored.status, stored.done))

    run = webinar_sync(webinar=webinar, trigger="test", on_progress=on_progress)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    # registrants and participant rows read, contacts compared, register + attend records
    expected = 650 + seeded["participants"] + 650 + (650 + 400)
    assert run.done == run.total == expected
    dones = [done for done, *_ in seen]
    assert dones == sorted(dones) and len(set(dones)) > 10
    steps = list(dict.fromkeys(step for _, _, step, *_ in seen))
    assert steps == ["Reading the webinar from Zoom", "Reading registrants",
                     "Reading attendance", "Pushing contacts to HubSpot",
                     "Pushing events and attendance to HubSpot"]
    # the admin sees it move: the stored run is running with some done before it finishes
    assert any(status == "running" and 0 < done < expected for *_, status, done in seen)
