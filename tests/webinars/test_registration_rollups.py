"""Registrations in the roll-ups: a cancelled one stops showing, a late one still counts."""

from datetime import datetime, timedelta

import pytest

from integrations.models import SyncRun
from tests.scenarios import past_webinar, sync_one, world
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}
WEBINAR_ID = 81234567890


def resync(webinar):
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def attendance(sandbox) -> set[tuple[str, str]]:
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    return {(a["email"], a["state"]) for a in event["attendance"]}


def test_a_cancelled_registration_is_cleared_from_the_contact(sandbox, linked):
    account, _ = linked
    alice = ALICE["email"]
    sandbox.seed("custom", **world(past_webinar(webinar_id=WEBINAR_ID, registrants=[ALICE])))
    webinar, _ = sync_one(account, WEBINAR_ID)
    contact = sandbox.hubspot_contacts()[alice]
    assert contact["zoomsync_webinar_registrations"] == "1"
    assert contact["zoomsync_last_registered_webinar"] == "Pipeline Masterclass"
    assert contact["zoomsync_last_join_url"].startswith("http")

    response = sandbox.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status",
                            json={"action": "cancel", "registrants": [{"email": alice}]})
    assert response.status_code == 204
    resync(webinar)

    contact = sandbox.hubspot_contacts()[alice]
    assert contact["zoomsync_webinar_registrations"] == "0"
    assert "zoomsync_last_registered_webinar" not in contact
    assert "zoomsync_last_join_url" not in contact
    assert attendance(sandbox) == {(alice, "register"), (alice, "cancel")}


def test_registering_after_the_webinar_ended_counts_but_records_nothing_on_it(sandbox,
                                                                             linked):
    account, _ = linked
    late = "late@customer.example"
    webinar_data = past_webinar(webinar_id=WEBINAR_ID, registrants=[ALICE])
    # Zoom's API refuses a registration once the webinar is over (code 3038), so the late
    # registration is seeded, made an hour after the session ended
    ended = datetime.fromisoformat(webinar_data["instances"][0]["end_time"])
    webinar_data["registrants"].append({
        "email": late, "first_name": "Lee", "last_name": "Late", "status": "approved",
        "create_time": (ended + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    sandbox.seed("custom", **world(webinar_data))
    sync_one(account, WEBINAR_ID)

    contact = sandbox.hubspot_contacts()[late]
    assert contact["zoomsync_webinar_registrations"] == "1"
    assert contact["zoomsync_last_registered_webinar"] == "Pipeline Masterclass"
    # the session was over when they registered: no 'register' record on its event
    assert (late, "register") not in attendance(sandbox)
    assert (ALICE["email"], "register") in attendance(sandbox)
