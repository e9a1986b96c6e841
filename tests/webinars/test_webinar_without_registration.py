"""A webinar that takes no registration (Zoom's "No registration required", approval_type 2):
Zoom refuses its registrant listing, yet every attendee is in the participant report — they
reach HubSpot, and the run says registration is off instead of failing."""

import pytest

from integrations.errors import RegistrationNotEnabled
from integrations.services.clients import zoom_client_for
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

WEBINAR_ID = 81234567890
OPEN_WEBINAR = {"approval_type": 2}
WALK_IN = {"name": "Wendy Walker", "user_email": "Wendy@Prospect.example"}
DROP_IN = {"name": "Dev Drop", "user_email": "dev@customer.example"}


def seed(sandbox):
    sandbox.seed("custom", **world(past_webinar(
        webinar_id=WEBINAR_ID, settings=OPEN_WEBINAR,
        participants=[(WALK_IN, 0, 45), (DROP_IN, 10, 30), (DROP_IN, 35, 60)])))


def test_its_attendees_reach_hubspot_and_the_run_says_registration_is_off(sandbox, linked):
    account, _ = linked
    seed(sandbox)
    webinar, run = sync_one(account, WEBINAR_ID)

    contacts = sandbox.hubspot_contacts()
    assert sorted(contacts) == ["dev@customer.example", "wendy@prospect.example"]
    assert contacts["dev@customer.example"]["zoomsync_webinars_attended"] == "1"
    assert contacts["dev@customer.example"]["zoomsync_webinar_registrations"] == "0"
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    assert sorted((a["email"], a["state"]) for a in event["attendance"]) == [
        ("dev@customer.example", "attend"), ("wendy@prospect.example", "attend")]
    assert event["eventCompleted"] is True
    assert run.counts["note"] == "registration is off for this webinar"
    assert run.counts["registrants"] == 0 and run.counts["attendees"] == 2
    assert webinar.registrants.count() == 0
    # the webinar's settings said so: Zoom was not asked for registrants it would refuse
    assert not any("registrants" in endpoint for endpoint in sandbox.calls()["by_endpoint"])


def test_the_webinar_page_shows_the_note(sandbox, linked, admin_client):
    account, _ = linked
    seed(sandbox)
    webinar, run = sync_one(account, WEBINAR_ID)

    page = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    assert "Note: registration is off for this webinar" in page
    page = admin_client.get(f"/admin/integrations/syncrun/{run.pk}/change/").content.decode()
    assert "Note: registration is off for this webinar" in page


def test_zoom_refusing_the_registrant_listing_is_told_apart_from_a_failure(sandbox, linked):
    account, _ = linked
    seed(sandbox)
    with pytest.raises(RegistrationNotEnabled) as refused:
        next(zoom_client_for(account=account).iter_registrant_pages(str(WEBINAR_ID),
                                                                    "approved"))
    assert (refused.value.status, refused.value.code) == (400, "3000")
