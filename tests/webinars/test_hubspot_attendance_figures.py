"""HubSpot's own attendance figures agree with ours (SPEC F7).

HubSpot works out each attendee's duration and percentage from the attend record's joinedAt
and leftAt when the event is completed. Read back through HubSpot's participations breakdown
after a sync, they must equal the attended time and % we work out ourselves — for people who
left and came back, whose joins overlap, or who stayed past the end.
"""

import pytest
import requests

from contacts.models import Activity
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
PEOPLE = {
    "alice@customer.example": [(0, 20), (30, 50)],  # left for ten minutes: 40 of 60
    "bob@customer.example": [(0, 30), (10, 40)],  # two devices at once: 40 of 60
    "carla@customer.example": [(45, 75)],  # stayed on after the end: 30
    "dan@customer.example": [(0, 35), (37, 62)],  # rejoined, past the end: 62, capped at 60
    "erin@customer.example": [(5, 6), (10, 11), (20, 21)],  # three short visits: 3
}


def breakdown(sandbox, event_id: str) -> list[dict]:
    """Every participation HubSpot lists for the event, page by page, as its API gives them."""
    creds = sandbox.credentials()
    url = (f"{sandbox.url}/hubspot/marketing/v3/marketing-events/participations/"
           f"{creds['zoom']['account_id']}/{event_id}/breakdown")
    headers = {"Authorization": f"Bearer {creds['hubspot']['token']}"}
    results, query = [], {"limit": 2}
    while True:
        response = requests.get(url, params=query, headers=headers, timeout=10)
        response.raise_for_status()
        body = response.json()
        results += body["results"]
        if "paging" not in body:
            return results
        query["after"] = body["paging"]["next"]["after"]


def test_hubspots_duration_and_percentage_are_our_attended_time_and_percentage(sandbox,
                                                                                linked):
    account, _ = linked
    registrants = [{"email": email, "first_name": email[:4].title(), "status": "approved"}
                   for email in PEOPLE]
    participants = [(email, start, end) for email, spans in PEOPLE.items()
                    for start, end in spans]
    sandbox.seed("custom", **world(past_webinar(registrants=registrants,
                                                participants=participants)))
    sync_one(account, WEBINAR_ID)

    attended = {p["associations"]["contact"]["email"]: p["properties"]
                for p in breakdown(sandbox, f"zoom-webinar-{WEBINAR_ID}")
                if p["properties"]["attendanceState"] == "ATTENDED"}
    ours = {a.contact.email: a.details for a in Activity.objects.filter(
        kind=Activity.Kind.WEBINAR_ATTENDED).select_related("contact")}
    assert set(attended) == set(ours) == set(PEOPLE)
    for email, figures in attended.items():
        assert figures["attendanceDurationSeconds"] == ours[email]["attended_seconds"], email
        assert round(float(figures["attendancePercentage"]), 1) == ours[email]["attended_pct"]
    assert {email: figures["attendanceDurationSeconds"] // 60
            for email, figures in attended.items()} == {
        "alice@customer.example": 40, "bob@customer.example": 40,
        "carla@customer.example": 30, "dan@customer.example": 60, "erin@customer.example": 3}
    # and the roll-up on each contact says the same
    contacts = sandbox.hubspot_contacts()
    for email, figures in attended.items():
        assert contacts[email]["zoomsync_avg_attendance_pct"] == (
            f"{round(float(figures['attendancePercentage']), 1)}")
