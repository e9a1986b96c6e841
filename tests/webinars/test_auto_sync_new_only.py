"""Auto-sync ticks webinars created in Zoom after it was turned on, never the past webinars a
backfill finds; the backfill's own "sync them all" does that."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import SyncRun, SyncSettings, ZoomAccount
from tests.scenarios import past_webinar, upcoming_webinar, world
from webinars.models import Webinar
from webinars.services.runs import KIND_SYNC

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "status": "approved"}
OLD_ID, NEW_ID = "81111111111", "89876543210"


@pytest.fixture
def zoom(sandbox, linked):
    """In Zoom: a webinar held 60 days ago (created 90 days ago) and an upcoming one created
    30 days ago."""
    sandbox.seed("custom", **world(
        past_webinar(webinar_id=int(OLD_ID), topic="Spring Launch Recap", days_ago=60,
                     registrants=[ALICE], participants=[(ALICE["email"], 0, 45)],
                     uuid="oldSession//A1b2C3=="),
        upcoming_webinar(webinar_id=int(NEW_ID), registrants=[BOB]),
    ))
    return linked[0]


def auto_sync_turned_on(days_ago: int) -> SyncSettings:
    settings = SyncSettings.get_solo()
    settings.auto_sync_new_webinars = True
    settings.save()
    SyncSettings.objects.update(auto_sync_enabled_at=timezone.now() - timedelta(days=days_ago))
    return SyncSettings.get_solo()


def test_turning_auto_sync_on_stores_when(db, admin_client):
    before = timezone.now()
    response = admin_client.post("/admin/integrations/syncsettings/", {
        "auto_sync_new_webinars": "on", "contact_field_policy": "fill_empty",
        "meeting_sync_scope": "off"}, follow=True)
    assert response.status_code == 200
    settings = SyncSettings.get_solo()
    assert settings.auto_sync_new_webinars and settings.auto_sync_enabled_at >= before
    # saving again does not move it; turning it off and on again does
    first = settings.auto_sync_enabled_at
    settings.save()
    assert SyncSettings.get_solo().auto_sync_enabled_at == first
    settings.auto_sync_new_webinars = False
    settings.save()
    settings.auto_sync_new_webinars = True
    settings.save()
    assert SyncSettings.get_solo().auto_sync_enabled_at > first


def test_a_backfill_ticks_the_webinar_created_after_auto_sync_not_the_past_one(
        zoom, sandbox, capsys):
    auto_sync_turned_on(days_ago=45)

    call_command("sync_webinars", "--backfill", "--no-progress")

    assert "(2 new, 1 with sync enabled)" in capsys.readouterr().out
    assert Webinar.objects.get(zoom_id=NEW_ID).sync_enabled
    assert not Webinar.objects.get(zoom_id=OLD_ID).sync_enabled
    assert set(sandbox.hubspot_contacts()) == {BOB["email"]}  # nobody of the past webinar
    assert f"zoom-webinar-{OLD_ID}" not in sandbox.marketing_events()


def test_auto_sync_turned_on_today_ticks_neither(zoom, sandbox):
    auto_sync_turned_on(days_ago=0)
    call_command("sync_webinars", "--backfill", "--no-progress")
    assert not Webinar.objects.filter(sync_enabled=True).exists()
    assert sandbox.hubspot_contacts() == {}


def test_the_admin_backfill_syncs_them_all_only_when_asked(zoom, sandbox, admin_client):
    auto_sync_turned_on(days_ago=45)
    account = ZoomAccount.objects.get()
    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    form = {"action": "backfill_past_webinars", "_selected_action": [account.pk],
            "since": since, "apply": "Start backfill"}

    admin_client.post("/admin/integrations/zoomaccount/", form)
    assert {r.target_key for r in SyncRun.objects.filter(kind=KIND_SYNC)} == {NEW_ID}

    admin_client.post("/admin/integrations/zoomaccount/", {**form, "sync_all": "on"})
    assert Webinar.objects.get(zoom_id=OLD_ID).sync_enabled
    synced = SyncRun.objects.filter(kind=KIND_SYNC, target_key=OLD_ID).get()
    assert synced.status == "succeeded", synced.error
    assert set(sandbox.hubspot_contacts()) == {ALICE["email"], BOB["email"]}
