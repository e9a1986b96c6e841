"""A webinar counts in its people's roll-ups once it has been synced by any trigger — Sync now
with its box never ticked included — and unticking a synced webinar changes no count
(SPEC §5.2). Driven through the admin, as a marketer does it."""

import pytest

from contacts.models import Contact
from contacts.services.rollups import ROLLUP_FIELDS
from integrations.models import SyncRun
from tests.scenarios import past_webinar, recurring_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.runs import webinar_runs
from webinars.tasks import sync_all_enabled

# the admin's actions queue their syncs when the request's transaction commits
pytestmark = pytest.mark.django_db(transaction=True)

ALICE = "alice@customer.example"
ALICE_REGISTRANT = {"email": ALICE, "first_name": "Alice", "status": "approved"}
DEMO_ID, MASTERCLASS_ID = 85550001111, 81234567890


@pytest.fixture
def webinars(sandbox, linked):
    """A weekly demo Alice attended twice (30 and 15 of 30 minutes) and a masterclass she
    attended for 30 of 60 minutes, held before both sessions."""
    account, _ = linked
    sandbox.seed("custom", **world(
        recurring_webinar(webinar_id=DEMO_ID, topic="Weekly Platform Demo", duration=30,
                          weeks_ago=(2, 1), weeks_ahead=(), registrants=[ALICE_REGISTRANT],
                          sessions=[("demoWeek1==", [(ALICE, 0, 30)]),
                                    ("demoWeek2==", [(ALICE, 0, 15)])]),
        past_webinar(webinar_id=MASTERCLASS_ID, topic="Pipeline Masterclass", days_ago=20,
                     uuid="masterclassUUID==", registrants=[ALICE_REGISTRANT],
                     participants=[(ALICE, 0, 30)]),
    ))
    webinars_discover(account=account)
    return (Webinar.objects.get(zoom_id=str(DEMO_ID)),
            Webinar.objects.get(zoom_id=str(MASTERCLASS_ID)))


def sync_now(admin_client, webinar):
    response = admin_client.post("/admin/webinars/webinar/", {
        "action": "sync_now", "_selected_action": [webinar.pk]}, follow=True)
    assert "Queued a sync of 1 webinar(s)." in response.content.decode()
    run = webinar_runs(webinar=webinar).first()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def set_sync_boxes(admin_client, checked):
    """Saves the webinar list's Sync column with these webinars ticked and the others not."""
    webinars = list(Webinar.objects.order_by("pk"))
    data = {"form-TOTAL_FORMS": str(len(webinars)), "form-INITIAL_FORMS": str(len(webinars)),
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000", "_save": "Save"}
    for i, webinar in enumerate(webinars):
        data[f"form-{i}-id"] = str(webinar.pk)
        if webinar in checked:
            data[f"form-{i}-sync_enabled"] = "on"
    assert admin_client.post("/admin/webinars/webinar/", data).status_code == 302


def rollups(sandbox) -> tuple[dict, dict]:
    """Alice's roll-ups as stored here and as HubSpot holds them."""
    contact = Contact.objects.get(email=ALICE)
    hubspot = sandbox.hubspot_contacts()[ALICE]
    return ({name: getattr(contact, name) for name in ROLLUP_FIELDS},
            {k: v for k, v in hubspot.items() if k.startswith("zoomsync_")})


def test_a_webinar_synced_only_with_sync_now_counts(webinars, admin_client, sandbox):
    demo, masterclass = webinars
    sync_now(admin_client, demo)

    demo.refresh_from_db()
    assert not demo.sync_enabled  # its box was never ticked
    stored, hubspot = rollups(sandbox)
    assert stored["webinars_attended"] == 2 and stored["webinar_registrations"] == 1
    assert str(stored["avg_attendance_pct"]) == "75.0"
    assert stored["last_attended_webinar"] == "Weekly Platform Demo"
    assert hubspot["zoomsync_webinars_attended"] == "2"
    assert hubspot["zoomsync_webinar_registrations"] == "1"
    assert hubspot["zoomsync_avg_attendance_pct"] == "75.0"
    assert hubspot["zoomsync_avg_attendance_minutes"] == "22.5"
    assert hubspot["zoomsync_last_attended_webinar"] == "Weekly Platform Demo"

    # another webinar's sync (by its checkbox) keeps counting the one synced with Sync now
    set_sync_boxes(admin_client, checked={masterclass})
    assert webinar_runs(webinar=masterclass).get().status == SyncRun.Status.SUCCEEDED
    stored, hubspot = rollups(sandbox)
    assert stored["webinars_attended"] == 3 and stored["webinar_registrations"] == 2
    assert hubspot["zoomsync_webinars_attended"] == "3"
    assert hubspot["zoomsync_webinar_registrations"] == "2"
    assert hubspot["zoomsync_avg_attendance_pct"] == "66.7"  # (100 + 50 + 50) / 3
    assert hubspot["zoomsync_last_attended_webinar"] == "Weekly Platform Demo"


def test_unticking_any_synced_webinar_changes_no_rollup(webinars, admin_client, sandbox):
    demo, masterclass = webinars
    set_sync_boxes(admin_client, checked={masterclass, demo})
    before = rollups(sandbox)
    assert before[1]["zoomsync_webinars_attended"] == "3"

    set_sync_boxes(admin_client, checked=set())
    assert not Webinar.objects.filter(sync_enabled=True).exists()
    assert rollups(sandbox) == before
    sync_all_enabled()  # the schedule: nothing is enabled any more
    assert rollups(sandbox) == before

    # one of them synced again with Sync now, with the other one's box off
    sync_now(admin_client, demo)
    assert rollups(sandbox) == before
    event = sandbox.marketing_events()[f"zoom-webinar-{MASTERCLASS_ID}"]
    assert {(a["email"], a["state"]) for a in event["attendance"]} == {
        (ALICE, "register"), (ALICE, "attend")}
