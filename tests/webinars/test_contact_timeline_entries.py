"""The timeline entries a webinar gives each contact (what sales reads on the contact page) and
the attendance records HubSpot gets from them: their times, titles and details, a no-show that
turns out to have attended, and a cancellation after the registration was recorded."""

from datetime import datetime, timedelta

import pytest

from contacts.models import Activity, Contact
from integrations.models import SyncRun
from tests.scenarios import past_webinar, sync_one, upcoming_webinar, world
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "status": "approved"}
Kind = Activity.Kind


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def epoch_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def ms_iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def timeline(email: str) -> list[tuple]:
    return [(a.kind, a.title, a.occurred_at) for a in Activity.objects.filter(
        contact__email=email).order_by("occurred_at", "kind")]


def records(sandbox, event_id: str, email: str) -> dict[str, dict]:
    event = sandbox.marketing_events()[event_id]
    found = {}
    for record in event["attendance"]:
        if record["email"] == email:
            assert record["state"] not in found, "recorded twice"
            found[record["state"]] = record
    return found


def test_registration_attendance_and_no_show_entries(sandbox, linked):
    account, _ = linked
    data = past_webinar(registrants=[ALICE, BOB],
                        participants=[(ALICE["email"], 0, 20), (ALICE["email"], 15, 40),
                                      (ALICE["email"], 50, 60)])
    sandbox.seed("custom", **world(data))
    sync_one(account, 81234567890)
    start = when(data["start_time"])
    registered = {r["email"]: when(r["create_time"]) for r in data["registrants"]}
    title = f"Pipeline Masterclass ({start:%Y-%m-%d %H:%M} UTC)"

    assert timeline(ALICE["email"]) == [
        (Kind.WEBINAR_REGISTERED, title, registered[ALICE["email"]]),
        (Kind.WEBINAR_ATTENDED, title, start)]
    assert timeline(BOB["email"]) == [
        (Kind.WEBINAR_REGISTERED, title, registered[BOB["email"]]),
        (Kind.WEBINAR_NO_SHOW, title, start + timedelta(minutes=60))]
    attended = Activity.objects.get(kind=Kind.WEBINAR_ATTENDED)
    assert {k: attended.details[k] for k in ("webinar_id", "topic", "attended_seconds",
                                             "length_s", "attended_pct")} == {
        "webinar_id": "81234567890", "topic": "Pipeline Masterclass",
        "attended_seconds": 50 * 60, "length_s": 3600, "attended_pct": 83.3}

    alice = records(sandbox, "zoom-webinar-81234567890", ALICE["email"])
    assert alice["register"]["interactionDateTime"] == epoch_ms(registered[ALICE["email"]])
    assert alice["register"]["properties"] == {}
    # one attendance record from the first join, as long as the time she attended (rejoins
    # summed, the gap left out), so HubSpot's duration is hers
    assert alice["attend"]["interactionDateTime"] == epoch_ms(start)
    assert alice["attend"]["properties"] == {
        "joinedAt": ms_iso(start), "leftAt": ms_iso(start + timedelta(minutes=50))}
    # HubSpot works out no-shows itself: Bob's is only on our timeline
    assert set(records(sandbox, "zoom-webinar-81234567890", BOB["email"])) == {"register"}


def finish_durations(sandbox_server, uuid: str, leave_minutes: dict[str, int]) -> None:
    """Zoom completes the session's participant report: each row gets its leave time."""
    with sandbox_server.world.lock:
        instance = sandbox_server.world.instances_by_uuid[uuid]
        for row in instance.participants:
            row.leave_time = instance.start_time + timedelta(minutes=leave_minutes[
                row.user_email])


def test_a_no_show_who_turns_out_to_have_attended_is_no_longer_a_no_show(
        sandbox_server, sandbox, linked):
    account, _ = linked
    data = past_webinar(registrants=[ALICE], participants=[(ALICE["email"], 0, 0)],
                        ended_minutes_ago=5)
    sandbox.seed("custom", **world(data))
    webinar, _ = sync_one(account, 81234567890)
    assert [kind for kind, *_ in timeline(ALICE["email"])] == [
        Kind.WEBINAR_REGISTERED, Kind.WEBINAR_NO_SHOW]

    finish_durations(sandbox_server, "pastUUID111==", {ALICE["email"]: 45})
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert [kind for kind, *_ in timeline(ALICE["email"])] == [
        Kind.WEBINAR_REGISTERED, Kind.WEBINAR_ATTENDED]
    assert set(records(sandbox, "zoom-webinar-81234567890", ALICE["email"])) == {
        "register", "attend"}
    contact = sandbox.hubspot_contacts()[ALICE["email"]]
    assert contact["zoomsync_webinars_attended"] == "1"
    assert contact["zoomsync_avg_attendance_minutes"] == "45.0"


def test_a_cancellation_after_the_registration_was_recorded_is_recorded_once(sandbox, linked):
    account, _ = linked
    data = upcoming_webinar(registrants=[ALICE])
    sandbox.seed("custom", **world(data))
    webinar, _ = sync_one(account, 89876543210)
    response = sandbox.zoom("PUT", "/webinars/89876543210/registrants/status",
                            json={"action": "cancel",
                                  "registrants": [{"email": ALICE["email"]}]})
    assert response.status_code == 204, response.text
    for _ in range(2):
        run = webinar_sync(webinar=webinar, trigger="test")
        assert run.status == SyncRun.Status.SUCCEEDED, run.error

    alice = records(sandbox, "zoom-webinar-89876543210", ALICE["email"])
    assert set(alice) == {"register", "cancel"}  # the registration was not sent again
    registered = when(data["registrants"][0]["create_time"])
    assert alice["cancel"]["interactionDateTime"] == epoch_ms(registered)
    assert [(kind, at) for kind, _, at in timeline(ALICE["email"])] == [
        (Kind.WEBINAR_CANCELLED, registered), (Kind.WEBINAR_REGISTERED, registered)]
    assert Contact.objects.get(email=ALICE["email"]).webinar_registrations == 0


def test_a_registration_counts_for_the_sessions_still_ahead(sandbox, linked):
    """A recurring webinar: someone who registers after the first session is registered for
    the later ones only."""
    from tests.scenarios import recurring_webinar

    account, _ = linked
    data = recurring_webinar(weeks_ago=(2, 1), weeks_ahead=(1,),
                             sessions=[("s1==", []), ("s2==", [])])
    late = {**BOB, "create_time": data["occurrences"][1]["start_time"]}  # at session 2
    data["registrants"] = [late]
    sandbox.seed("custom", **world(data))
    webinar, _ = sync_one(account, 85550001111)
    registered_for = sorted(Activity.objects.filter(
        contact__email=BOB["email"], kind=Kind.WEBINAR_REGISTERED).values_list(
        "source_key", flat=True))
    sessions = sorted(i.external_event_id for i in webinar.instances.all())
    assert registered_for == sessions[1:]  # the second session (it had not ended) and the third
    events = sandbox.marketing_events()
    assert [any(a["email"] == BOB["email"] for a in events[s]["attendance"])
            for s in sessions] == [False, True, True]
