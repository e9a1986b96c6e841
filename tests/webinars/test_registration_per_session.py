"""A recurring webinar whose registrants pick their sessions (Zoom's registration_type 2 or 3):
each person is registered on the HubSpot events of the sessions they picked, and nowhere else —
so HubSpot counts no no-show for a session they never registered for."""

import pytest
import requests

from contacts.models import Activity
from tests.scenarios import recurring_webinar, sync_one, world
from webinars.models import Registrant

pytestmark = pytest.mark.django_db

WEBINAR_ID = 85550001111
REGISTRANTS = "zoom GET /v2/webinars/{webinarId}/registrants"
EVE = {"email": "eve@customer.example", "first_name": "Eve", "status": "approved"}
OTTO = {"email": "otto@customer.example", "first_name": "Otto", "status": "approved",
        "sessions": [1]}
TESS = {"email": "tess@customer.example", "first_name": "Tess", "status": "approved",
        "sessions": [0, 3]}


def seed(sandbox, *, registration_type: int) -> list[str]:
    """Weekly sessions two weeks and one week ago (held) and in one and two weeks. Eve
    registered for every session and came to the first; Otto picked the second and came;
    Tess picked the first and the last, and missed the first. Returns the event ids."""
    webinar = recurring_webinar(
        webinar_id=WEBINAR_ID, weeks_ago=(2, 1), weeks_ahead=(1, 2),
        registrants=[EVE, OTTO, TESS], settings={"registration_type": registration_type},
        sessions=[("firstUUID==", [(EVE["email"], 0, 30)]),
                  ("secondUUID==", [(OTTO["email"], 0, 25)])])
    sandbox.seed("custom", **world(webinar))
    return [f"zoom-webinar-{WEBINAR_ID}-{o['occurrence_id']}" for o in webinar["occurrences"]]


def records(sandbox, event_id: str, state: str) -> list[str]:
    event = sandbox.marketing_events()[event_id]
    return sorted(a["email"] for a in event["attendance"] if a["state"] == state)


def no_shows(sandbox, event_id: str) -> list[str]:
    """The no-shows HubSpot itself counts on a completed event (its participations
    breakdown)."""
    creds = sandbox.credentials()
    response = requests.get(
        f"{sandbox.url}/hubspot/marketing/v3/marketing-events/participations/"
        f"{creds['zoom']['account_id']}/{event_id}/breakdown", params={"limit": 100},
        headers={"Authorization": f"Bearer {creds['hubspot']['token']}"}, timeout=10)
    response.raise_for_status()
    return sorted(p["associations"]["contact"]["email"] for p in response.json()["results"]
                  if p["properties"]["attendanceState"] == "NO_SHOW")


@pytest.mark.parametrize("registration_type", [2, 3])
def test_each_person_is_registered_on_the_sessions_they_picked(sandbox, linked,
                                                               registration_type):
    account, _ = linked
    first, second, third, fourth = seed(sandbox, registration_type=registration_type)
    sync_one(account, WEBINAR_ID)

    eve, otto, tess = EVE["email"], OTTO["email"], TESS["email"]
    assert records(sandbox, first, "register") == [eve, tess]
    assert records(sandbox, second, "register") == [eve, otto]
    assert records(sandbox, third, "register") == [eve]
    assert records(sandbox, fourth, "register") == [eve, tess]
    # HubSpot's no-shows: Tess missed the session she picked, Eve the second; Otto, who only
    # picked the second, is nobody's no-show
    assert no_shows(sandbox, first) == [tess]
    assert no_shows(sandbox, second) == [eve]
    assert not Activity.objects.filter(contact__email=otto,
                                       kind=Activity.Kind.WEBINAR_NO_SHOW).exists()
    contacts = sandbox.hubspot_contacts()
    assert contacts[otto]["zoomsync_webinar_registrations"] == "1"
    assert contacts[otto]["zoomsync_webinars_attended"] == "1"
    assert contacts[tess]["zoomsync_webinar_registrations"] == "1"
    assert contacts[tess]["zoomsync_webinars_attended"] == "0"
    sessions = dict(Registrant.objects.values_list("email", "occurrence_ids"))
    assert sessions[otto] == [second.rsplit("-", 1)[1]]
    assert sessions[eve] == sorted(e.rsplit("-", 1)[1] for e in (first, second, third, fourth))


def test_sessions_already_over_are_not_asked_about_again(sandbox, linked):
    account, _ = linked
    seed(sandbox, registration_type=3)
    sync_one(account, WEBINAR_ID)
    # the three statuses, then each session's registered people (nobody is pending)
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] == 3 + 4

    sandbox.reset_calls()
    _, again = sync_one(account, WEBINAR_ID)
    # only the two sessions still ahead can gain registrants
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] == 3 + 2
    writes = {k: n for k, n in sandbox.hubspot_calls().items()
              if " GET " not in k and "batch/read" not in k}
    assert writes == {} and again.counts["attendance_recorded"] == 0


def test_a_cancellation_is_recorded_on_the_sessions_registered_for(sandbox, linked):
    account, _ = linked
    first, second, third, fourth = seed(sandbox, registration_type=3)
    sync_one(account, WEBINAR_ID)
    response = sandbox.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status",
                            json={"action": "cancel", "registrants": [{"email": TESS["email"]}]})
    assert response.status_code == 204
    sync_one(account, WEBINAR_ID)

    tess = TESS["email"]
    assert [event for event in (first, second, third, fourth)
            if tess in records(sandbox, event, "cancel")] == [first, fourth]
    assert records(sandbox, second, "cancel") == records(sandbox, third, "cancel") == []


def test_register_once_attend_any_covers_every_session_without_asking_per_session(sandbox,
                                                                                  linked):
    account, _ = linked
    events = seed(sandbox, registration_type=1)
    sync_one(account, WEBINAR_ID)

    # Zoom keeps no sessions for such a registration: the picks in the seed mean nothing
    for event in events:
        assert records(sandbox, event, "register") == sorted(
            [EVE["email"], OTTO["email"], TESS["email"]])
    assert sandbox.calls()["by_endpoint"][REGISTRANTS] == 3
    assert set(Registrant.objects.values_list("occurrence_ids", flat=True)) == {None}
