"""A session the host restarted: Zoom lists two uuids for the one session (or occurrence), each
with its own report and participant rows. Both count toward the one session and its one
marketing event, and once the session is stored complete neither uuid costs a Zoom call again."""

from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps

from integrations.models import SyncRun
from tests.factories import WebinarFactory
from tests.scenarios import iso, past_webinar, recurring_webinar, sync_one, world
from tests.webinars.test_contact_timeline_entries import records
from webinars.models import AttendanceSession, WebinarInstance
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "status": "approved"}
WEBINAR_ID = 81234567890
# Zoom's calls for a held session's attendance: none may be made for a final one.
ATTENDANCE_CALLS = ("zoom GET /v2/report/webinars/{webinarId}",
                    "zoom GET /v2/report/webinars/{webinarId}/participants",
                    "zoom GET /v2/past_webinars/{webinarId}/participants")


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def restart(instance: dict, *, uuid: str, at_min: int, participants) -> dict:
    """The session as Zoom reports it after the host restarted it `at_min` minutes in: the
    first uuid ends there, a second one carries on to the end."""
    start, end = when(instance["start_time"]), when(instance["end_time"])
    instance["end_time"] = iso(start + timedelta(minutes=at_min - 2))
    again = {**instance, "uuid": uuid, "start_time": iso(start + timedelta(minutes=at_min)),
             "end_time": iso(end), "participants": [
                 {"registrant_email": email, "user_email": email,
                  "join_time": iso(start + timedelta(minutes=join)),
                  "leave_time": iso(start + timedelta(minutes=leave))}
                 for email, join, leave in participants]}
    return again


def attendance_calls(sandbox) -> dict:
    calls = sandbox.calls()["by_endpoint"]
    return {k: v for k, v in calls.items() if k in ATTENDANCE_CALLS}


def test_both_uuids_count_toward_the_one_session_and_neither_is_fetched_again(
        sandbox, linked, admin_client):
    account, _ = linked
    alice, bob = ALICE["email"], BOB["email"]
    data = past_webinar(registrants=[ALICE, BOB], days_ago=3,
                        participants=[(alice, 1, 20)], uuid="firstUUID==")
    data["instances"].append(restart(data["instances"][0], uuid="againUUID==", at_min=22,
                                     participants=[(alice, 23, 55), (bob, 25, 45)]))
    sandbox.seed("custom", **world(data))
    webinar, run = sync_one(account, WEBINAR_ID)

    assert run.counts["sessions_held"] == 1
    instance = webinar.instances.get()
    assert sorted(instance.held_uuids) == ["againUUID==", "firstUUID=="]
    assert instance.length_seconds == 60 * 60  # from the first start to the second end
    assert list(sandbox.marketing_events()) == [f"zoom-webinar-{WEBINAR_ID}"]
    contacts = sandbox.hubspot_contacts()
    assert contacts[alice]["zoomsync_avg_attendance_minutes"] == "51.0"  # 19 + 32
    assert contacts[alice]["zoomsync_avg_attendance_pct"] == "85.0"
    assert contacts[bob]["zoomsync_avg_attendance_minutes"] == "20.0"
    for email in (alice, bob):
        assert set(records(sandbox, f"zoom-webinar-{WEBINAR_ID}", email)) == {
            "register", "attend"}
    page = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    assert "firstUUID==<br>(restarted: againUUID==)" in page

    for _ in range(2):  # the uuids once took turns being fetched again
        sandbox.reset_calls()
        again = webinar_sync(webinar=webinar, trigger="test")
        assert again.status == SyncRun.Status.SUCCEEDED, again.error
        assert attendance_calls(sandbox) == {}
        assert sandbox.hubspot_calls() == {}
        assert again.counts["sessions_held"] == 1


def test_a_restarted_occurrence_of_a_recurring_webinar_is_one_event(sandbox, linked):
    account, _ = linked
    alice, bob = ALICE["email"], BOB["email"]
    data = recurring_webinar(registrants=[ALICE, BOB], weeks_ago=(2, 1), weeks_ahead=(),
                             sessions=[("weekOneUUID==", [(alice, 0, 10)]),
                                       ("weekTwoUUID==", [(alice, 0, 30)])])
    data["instances"].insert(1, restart(data["instances"][0], uuid="weekOneAgainUUID==",
                                        at_min=12, participants=[(bob, 12, 30)]))
    sandbox.seed("custom", **world(data))
    webinar, run = sync_one(account, 85550001111)

    assert run.counts["sessions_held"] == 2
    first = webinar.instances.get(occurrence_id=data["occurrences"][0]["occurrence_id"])
    assert sorted(first.held_uuids) == ["weekOneAgainUUID==", "weekOneUUID=="]
    events = sandbox.marketing_events()
    assert len(events) == 2
    week_one = f"zoom-webinar-85550001111-{first.occurrence_id}"
    assert set(records(sandbox, week_one, bob)) == {"register", "attend"}
    assert set(records(sandbox, week_one, alice)) == {"register", "attend"}

    sandbox.reset_calls()
    again = webinar_sync(webinar=webinar, trigger="test")
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    assert attendance_calls(sandbox) == {}


def test_sessions_stored_before_the_upgrade_remember_their_uuids_and_lose_waiting_time():
    """What migration 0005 does to an installation's existing rows."""
    migration = import_module("webinars.migrations.0005_attendance_as_reported")
    webinar = WebinarFactory()
    restarted = WebinarInstance.objects.create(webinar=webinar, occurrence_id="1",
                                               uuid="againUUID==")
    plain = WebinarInstance.objects.create(webinar=webinar, occurrence_id="2", uuid="oneUUID==")
    join = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    for uuid, pid, status in (("firstUUID==", "p1", "in_meeting"),
                              ("againUUID==", "p1", "in_meeting"),
                              ("againUUID==", "p2", "in_waiting_room")):
        AttendanceSession.objects.create(instance=restarted, zoom_uuid=uuid, participant_id=pid,
                                         join_time=join, raw={"status": status})

    migration.remember_held_uuids(apps, None)
    migration.forget_waiting_room_rows(apps, None)

    restarted.refresh_from_db(), plain.refresh_from_db()
    assert restarted.held_uuids == ["againUUID==", "firstUUID=="]
    assert plain.held_uuids == ["oneUUID=="]
    assert sorted(restarted.sessions.values_list("participant_id", "zoom_uuid")) == [
        ("p1", "againUUID=="), ("p1", "firstUUID==")]
