"""Time in the waiting room is not time in the webinar. Zoom reports it as participant rows of
their own (`status: in_waiting_room`); someone never admitted is no attendee — a registrant
stays a registrant and a no-show, anyone else leaves no trace in HubSpot — and someone admitted
after waiting attended from the moment they were let in. Two devices and failover rows are
merged as always."""

from datetime import datetime, timedelta

import pytest

from contacts.models import Activity, Contact
from tests.scenarios import past_webinar, sync_one, world
from tests.webinars.test_contact_timeline_entries import epoch_ms, ms_iso, records
from tests.webinars.test_hubspot_attendance_figures import breakdown

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
EVENT = f"zoom-webinar-{WEBINAR_ID}"
ALICE, BOB, CARLA, DAN = ("alice@customer.example", "bob@customer.example",
                          "carla@customer.example", "dan@customer.example")
WALK_IN = "walter@walkin.example"
WAITING = {"status": "in_waiting_room"}


def registrant(email: str) -> dict:
    return {"email": email, "first_name": email.split("@")[0].title(), "status": "approved"}


def row(email: str, **extra) -> dict:
    return {"registrant_email": email, "user_email": email, **extra}


@pytest.fixture
def synced(sandbox, linked):
    account, _ = linked
    data = past_webinar(registrants=[registrant(e) for e in (ALICE, BOB, CARLA, DAN)],
                        duration=60, participants=[
        (row(ALICE, **WAITING), 0, 10), (row(ALICE), 10, 40),  # waited 10, then 30 in
        (row(BOB, **WAITING), 2, 17),  # never admitted
        (row(CARLA, **WAITING), 0, 5), (row(CARLA), 5, 30),  # laptop, then a phone too
        (row(CARLA, failover=True), 15, 45),
        (row(DAN), 0, 20), (row(DAN, **WAITING), 25, 30), (row(DAN), 30, 50),  # rejoined
        ({"name": "Walter", "user_email": WALK_IN, **WAITING}, 5, 20),  # never admitted
    ])
    sandbox.seed("custom", **world(data))
    webinar, run = sync_one(account, WEBINAR_ID)
    start = datetime.fromisoformat(data["start_time"].replace("Z", "+00:00"))
    return webinar, run, start


def test_someone_never_admitted_is_no_attendee(synced, sandbox):
    _webinar, run, _start = synced
    event = sandbox.marketing_events()[EVENT]
    assert {(a["email"], a["state"]) for a in event["attendance"]} == {
        (ALICE, "register"), (BOB, "register"), (CARLA, "register"), (DAN, "register"),
        (ALICE, "attend"), (CARLA, "attend"), (DAN, "attend")}

    contacts = sandbox.hubspot_contacts()
    # the walk-in who only waited is no contact, here or in HubSpot
    assert set(contacts) == {ALICE, BOB, CARLA, DAN}
    assert not Contact.objects.filter(email=WALK_IN).exists()
    assert contacts[BOB]["zoomsync_webinar_registrations"] == "1"
    assert contacts[BOB]["zoomsync_webinars_attended"] == "0"
    assert "zoomsync_avg_attendance_pct" not in contacts[BOB]
    assert set(Activity.objects.filter(contact__email=BOB).values_list("kind", flat=True)) == {
        Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_NO_SHOW}
    states = {p["associations"]["contact"]["email"]: p["properties"]["attendanceState"]
              for p in breakdown(sandbox, EVENT)
              if p["properties"]["attendanceState"] in ("ATTENDED", "NO_SHOW")}
    assert states == {ALICE: "ATTENDED", CARLA: "ATTENDED", DAN: "ATTENDED", BOB: "NO_SHOW"}
    assert run.counts["attendees"] == 3


def test_attended_time_starts_when_the_host_admits_them(synced, sandbox):
    _webinar, _run, start = synced
    contacts = sandbox.hubspot_contacts()
    assert {email: (contacts[email]["zoomsync_avg_attendance_minutes"],
                    contacts[email]["zoomsync_avg_attendance_pct"])
            for email in (ALICE, CARLA, DAN)} == {
        ALICE: ("30.0", "50.0"),  # not 40 minutes with the wait
        CARLA: ("40.0", "66.7"),  # two devices merged, her 5 minutes of waiting left out
        DAN: ("40.0", "66.7"),  # 20 + 20, the wait between left out
    }
    # HubSpot's attend record runs from her admission for the time she attended
    alice = records(sandbox, EVENT, ALICE)["attend"]
    admitted = start + timedelta(minutes=10)
    assert alice["interactionDateTime"] == epoch_ms(admitted)
    assert alice["properties"] == {"joinedAt": ms_iso(admitted),
                                   "leftAt": ms_iso(admitted + timedelta(minutes=30))}
    # and so do HubSpot's own figures once the event is completed
    figures = {p["associations"]["contact"]["email"]: p["properties"]
               for p in breakdown(sandbox, EVENT)
               if p["properties"]["attendanceState"] == "ATTENDED"}
    assert figures[ALICE]["attendanceDurationSeconds"] == 30 * 60
    assert round(float(figures[ALICE]["attendancePercentage"]), 1) == 50.0
    assert figures[DAN]["attendanceDurationSeconds"] == 40 * 60


def test_an_instant_admission_right_after_the_end_does_not_hold_the_session_back(sandbox,
                                                                                 linked):
    """Right after a session a row without a duration means Zoom is still computing — but not
    a wait that lasted no time at all: that never counts anyway."""
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[registrant(ALICE)], ended_minutes_ago=5,
        participants=[(row(ALICE, **WAITING), 0, 0), (row(ALICE), 0, 45)])))
    webinar, run = sync_one(account, WEBINAR_ID)

    assert run.counts["sessions_waiting"] == 0
    assert webinar.instances.get().attendance_waiting == ""
    assert sandbox.marketing_events()[EVENT]["eventCompleted"]
    assert sandbox.hubspot_contacts()[ALICE]["zoomsync_avg_attendance_minutes"] == "45.0"
