"""Unticking a webinar's Sync box stops its future syncs and changes no count (SPEC §5.2)."""

import pytest

from integrations.models import SyncRun
from tests.scenarios import past_webinar, sync_one, world
from webinars.models import Webinar
from webinars.services.sync import webinar_sync
from webinars.services.triggers import webinars_sync_disable

pytestmark = pytest.mark.django_db
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}


def test_unticking_a_synced_webinar_keeps_it_in_the_contacts_rollups(sandbox, linked):
    account, _ = linked
    alice = ALICE["email"]
    sandbox.seed("custom", **world(
        past_webinar(webinar_id=81234567890, topic="Pipeline Masterclass", days_ago=3,
                     uuid="firstUUID111==", registrants=[ALICE], participants=[(alice, 0, 60)]),
        past_webinar(webinar_id=81234567891, topic="Attribution Deep Dive", days_ago=2,
                     uuid="secondUUID22==", registrants=[ALICE],
                     participants=[(alice, 0, 30)]),
    ))
    first, _ = sync_one(account, 81234567890)
    second, _ = sync_one(account, 81234567891)
    before = sandbox.hubspot_contacts()[alice]
    assert before["zoomsync_webinar_registrations"] == "2"
    assert before["zoomsync_webinars_attended"] == "2"
    assert before["zoomsync_avg_attendance_pct"] == "75.0"

    webinars_sync_disable(webinars=[first])
    assert not Webinar.objects.get(pk=first.pk).sync_enabled
    run = webinar_sync(webinar=second, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    after = sandbox.hubspot_contacts()[alice]
    assert {k: after[k] for k in before if k.startswith("zoomsync_")} == {
        k: v for k, v in before.items() if k.startswith("zoomsync_")}
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert event["eventCompleted"]  # its event and attendance stay in HubSpot
    assert {(a["email"], a["state"]) for a in event["attendance"]} == {
        (alice, "register"), (alice, "attend")}
