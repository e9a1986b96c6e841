"""Backfill: webinars held months ago (expired from the hosts' lists) found and synced."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import SyncRun, SyncSettings, ZoomAccount
from tests.scenarios import past_webinar, upcoming_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import month_windows, webinars_discover
from webinars.services.runs import KIND_DISCOVERY, KIND_SYNC

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}
BOB = {"email": "bob@customer.example", "first_name": "Bob", "last_name": "Baker",
       "status": "approved"}
OLD_ID = "81111111111"


@pytest.fixture
def history(sandbox, linked):
    """A webinar held 60 days ago (no longer in Zoom's list of the host's webinars) and an
    upcoming one."""
    sandbox.seed("custom", **world(
        past_webinar(webinar_id=int(OLD_ID), topic="Spring Launch Recap", days_ago=60,
                     registrants=[ALICE], participants=[(ALICE["email"], 0, 45)],
                     uuid="oldSession//A1b2C3=="),
        upcoming_webinar(registrants=[BOB]),
    ))
    return linked[0]


def auto_sync(on: bool = True):
    settings = SyncSettings.get_solo()
    settings.auto_sync_new_webinars = on
    settings.save()


def test_backfill_command_finds_and_syncs_an_expired_webinar(history, sandbox, capsys):
    assert [w.zoom_id for w in webinars_discover(account=history)] == ["89876543210"]
    Webinar.objects.all().delete()
    auto_sync()  # ticks none of them: both were created in Zoom before it was turned on

    call_command("sync_webinars", "--backfill", "--all", "--no-progress")

    out = capsys.readouterr().out
    assert "2 webinar(s) upcoming or held since" in out and "(2 new, 0 with sync enabled)" in out
    assert "✔ Spring Launch Recap: 1 registrant(s), 1 attendee(s)" in out
    old = Webinar.objects.get(zoom_id=OLD_ID)
    assert old.sync_enabled and old.last_sync_status == "succeeded"
    assert old.topic == "Spring Launch Recap" and old.host_email == "host@acme.example"
    alice = sandbox.hubspot_contacts()[ALICE["email"]]
    assert alice["zoomsync_webinars_attended"] == "1"
    assert alice["zoomsync_last_attended_webinar"] == "Spring Launch Recap"
    assert sandbox.marketing_events()[f"zoom-webinar-{OLD_ID}"]["eventCompleted"]
    run = SyncRun.objects.get(kind=KIND_DISCOVERY)
    assert run.status == "succeeded" and run.done == run.total > 6  # six months + hosts
    assert run.counts["webinars_new"] == 2
    # the history report was read one month at a time
    assert sandbox.calls()["by_endpoint"]["zoom GET /v2/report/history_meetings"] >= 6


def test_backfill_since_and_sync_settings_decide_what_is_synced(history, sandbox, capsys):
    recent = (timezone.localdate() - timedelta(days=30)).isoformat()
    call_command("sync_webinars", "--backfill", "--since", recent, "--no-progress")
    assert not Webinar.objects.filter(zoom_id=OLD_ID).exists()  # held before --since
    assert "No webinar has sync enabled" in capsys.readouterr().out

    # without auto-sync, found webinars wait for their Sync box; --all ticks every one
    call_command("sync_webinars", "--backfill", "--no-progress")
    assert not Webinar.objects.get(zoom_id=OLD_ID).sync_enabled
    assert sandbox.hubspot_contacts() == {}
    call_command("sync_webinars", "--backfill", "--all", "--no-progress")
    assert Webinar.objects.get(zoom_id=OLD_ID).sync_enabled
    assert set(sandbox.hubspot_contacts()) == {ALICE["email"], BOB["email"]}


def test_backfill_command_rejects_a_bad_date_and_account(history):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("sync_webinars", "--backfill", "--since", "last spring")
    with pytest.raises(CommandError, match="No linked Zoom account"):
        call_command("sync_webinars", "--backfill", "--account", "nope")


def test_backfill_admin_action_asks_from_when_then_queues(history, sandbox, admin_client):
    account = ZoomAccount.objects.get()
    page = admin_client.post("/admin/integrations/zoomaccount/", {
        "action": "backfill_past_webinars", "_selected_action": [account.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Start backfill" in html and str(account) in html and 'name="since"' in html
    assert 'name="sync_all"' in html

    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    response = admin_client.post("/admin/integrations/zoomaccount/", {
        "action": "backfill_past_webinars", "_selected_action": [account.pk],
        "since": since, "sync_all": "on", "apply": "Start backfill"}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/integrations/syncrun/"
    assert "Backfill since" in response.content.decode()
    discovery = SyncRun.objects.get(kind=KIND_DISCOVERY)
    assert discovery.status == "succeeded", discovery.error
    assert discovery.trigger == "admin backfill"
    synced = SyncRun.objects.filter(kind=KIND_SYNC, trigger="backfill")
    assert {r.target_key for r in synced} == {OLD_ID, "89876543210"}
    assert all(r.status == "succeeded" for r in synced)
    assert sandbox.marketing_events()[f"zoom-webinar-{OLD_ID}"]["eventCompleted"]


def test_month_windows_stay_within_one_month():
    from datetime import date

    windows = list(month_windows(date(2026, 1, 31), date(2026, 4, 2)))
    assert windows == [(date(2026, 1, 31), date(2026, 2, 27)),
                       (date(2026, 2, 28), date(2026, 3, 27)),
                       (date(2026, 3, 28), date(2026, 4, 2))]
