"""A guest speaker (a panelist from outside our Zoom account) is on stage, not in the audience:
never a HubSpot contact, never an attendee or registrant of the webinar, yet kept in the
mirror with their role."""

import pytest

from contacts.models import Contact
from tests.scenarios import past_webinar, sync_one, world
from webinars.models import AttendanceSession

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
# registered before the host invited her to speak: Zoom lists her among the registrants too
PAUL = {"email": "paul@partner.example", "first_name": "Paul", "status": "approved"}
SPEAKERS = [{"email": "Sol.Speaker@Guest.example", "name": "Sol Speaker"},
            {"email": "paul@partner.example", "name": "Paul Partner"}]


def seed(sandbox):
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=WEBINAR_ID, registrants=[ALICE, PAUL], panelists=SPEAKERS,
        participants=[
            (ALICE["email"], 0, 60),
            # Zoom writes the e-mail as the speaker typed it when joining
            ({"panelist_email": "sol.speaker@guest.example",
              "user_email": "SOL.SPEAKER@guest.example"}, 0, 60),
            ({"panelist_email": "paul@partner.example"}, 5, 50),
            ({"name": "Hana Host", "user_email": "host@acme.example", "internal_user": True},
             0, 60),
        ])))


def test_an_external_panelist_who_joins_is_neither_contact_nor_attendee(sandbox, linked):
    account, _ = linked
    seed(sandbox)
    webinar, run = sync_one(account, WEBINAR_ID)

    assert list(sandbox.hubspot_contacts()) == [ALICE["email"]]
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == [
        (ALICE["email"], "attend"), (ALICE["email"], "register")]
    assert run.counts["attendees"] == 1 and run.counts["registrants"] == 1
    assert run.counts["panelists"] == 2 and run.counts["excluded"] == 0
    assert set(Contact.objects.values_list("email", flat=True)) == {ALICE["email"]}

    roles = {row.email: (row.role, row.contact_id) for row in AttendanceSession.objects.all()}
    assert roles["sol.speaker@guest.example"] == (AttendanceSession.Role.PANELIST, None)
    assert roles["paul@partner.example"] == (AttendanceSession.Role.PANELIST, None)
    assert roles["host@acme.example"] == (AttendanceSession.Role.HOST, None)
    assert roles[ALICE["email"]][0] == AttendanceSession.Role.ATTENDEE
    # one call a sync tells who the panelists are
    assert sandbox.calls()["by_endpoint"]["zoom GET /v2/webinars/{webinarId}/panelists"] == 1


def test_the_webinar_page_shows_who_was_on_stage(sandbox, linked, admin_client):
    account, _ = linked
    seed(sandbox)
    webinar, _ = sync_one(account, WEBINAR_ID)

    page = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    assert "Sol Speaker" in page and "sol.speaker@guest.example" in page
    assert "Panelist" in page and "Host or internal user" in page
    assert "Panelists: 2" in page
