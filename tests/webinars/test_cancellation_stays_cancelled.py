"""A cancelled registration stays cancelled through later syncs, though Zoom lists it as denied."""

import pytest

from contacts.models import Activity
from integrations.models import SyncRun
from tests.scenarios import sync_one, upcoming_webinar, world
from webinars.models import Registrant
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
CARLA = {"email": "carla@prospect.example", "first_name": "Carla", "status": "approved"}
WEBINAR_ID = 89876543210


def carla_records(sandbox) -> list[str]:
    event = sandbox.marketing_events()[f"zoom-webinar-{WEBINAR_ID}"]
    return sorted(a["state"] for a in event["attendance"] if a["email"] == CARLA["email"])


def test_a_second_sync_after_a_cancellation_keeps_it_cancelled(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(upcoming_webinar(registrants=[ALICE, CARLA])))
    webinar, _ = sync_one(account, WEBINAR_ID)
    response = sandbox.zoom("PUT", f"/webinars/{WEBINAR_ID}/registrants/status",
                            json={"action": "cancel",
                                  "registrants": [{"email": CARLA["email"]}]})
    assert response.status_code == 204, response.text
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Registrant.objects.get(email=CARLA["email"]).status == "cancelled"
    assert carla_records(sandbox) == ["cancel", "register"]

    # The next sync reads her from Zoom's "denied" listing again.
    sandbox.reset_calls()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    carla = Registrant.objects.get(email=CARLA["email"])
    assert carla.status == "cancelled"
    assert carla_records(sandbox) == ["cancel", "register"]  # no second cancel record
    assert sandbox.hubspot_contacts()[CARLA["email"]]["zoomsync_webinar_registrations"] == "0"
    assert Activity.objects.filter(contact__email=CARLA["email"],
                                   kind=Activity.Kind.WEBINAR_CANCELLED).count() == 1
    assert sandbox.hubspot_calls() == {}  # nothing changed, nothing written
