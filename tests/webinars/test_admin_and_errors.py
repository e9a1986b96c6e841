"""The webinar list in the admin, its triggers, and how failures are shown."""

import pytest

from integrations.models import HubSpotPortal, SyncRun, ZoomAccount
from tests.factories import WebinarSyncRunFactory
from tests.scenarios import past_webinar, upcoming_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.runs import webinar_runs
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "last_name": "Archer",
         "status": "approved"}


@pytest.fixture
def discovered(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(
        past_webinar(registrants=[ALICE], participants=[(ALICE["email"], 0, 45)]),
        upcoming_webinar(registrants=[ALICE]),
    ))
    webinars_discover(account=account)
    return Webinar.objects.get(zoom_id="81234567890")


def changelist_post(admin_client, webinars, *, checked):
    data = {"form-TOTAL_FORMS": str(len(webinars)), "form-INITIAL_FORMS": str(len(webinars)),
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000", "_save": "Save"}
    for i, webinar in enumerate(webinars):
        data[f"form-{i}-id"] = str(webinar.pk)
        if webinar.pk in checked:
            data[f"form-{i}-sync_enabled"] = "on"
    return admin_client.post("/admin/webinars/webinar/", data)


def test_ticking_the_sync_checkbox_syncs_that_webinar(discovered, admin_client, sandbox):
    response = admin_client.get("/admin/webinars/webinar/")
    assert response.status_code == 200
    assert "Pipeline Masterclass" in response.content.decode()
    assert not sandbox.hubspot_contacts()

    webinars = list(Webinar.objects.order_by("pk"))
    response = changelist_post(admin_client, webinars, checked={discovered.pk})
    assert response.status_code == 302

    discovered.refresh_from_db()
    assert discovered.sync_enabled
    run = webinar_runs(webinar=discovered).get()
    assert run.trigger == "checkbox" and run.status == SyncRun.Status.SUCCEEDED, run.error
    assert sandbox.hubspot_contacts()["alice@customer.example"][
        "zoomsync_webinars_attended"] == "1"
    other = Webinar.objects.get(zoom_id="89876543210")
    assert not other.sync_enabled and not webinar_runs(webinar=other).exists()


def test_list_search_filters_and_actions(discovered, admin_client, sandbox):
    page = admin_client.get("/admin/webinars/webinar/?q=roadmap").content.decode()
    assert "Product Roadmap Live" in page and "Pipeline Masterclass" not in page
    page = admin_client.get("/admin/webinars/webinar/?q=81234567890").content.decode()
    assert "Pipeline Masterclass" in page
    page = admin_client.get("/admin/webinars/webinar/?when=upcoming").content.decode()
    assert "Product Roadmap Live" in page and "Pipeline Masterclass" not in page

    response = admin_client.post("/admin/webinars/webinar/", {
        "action": "sync_now", "_selected_action": [discovered.pk]}, follow=True)
    assert "Queued a sync of 1 webinar(s)." in response.content.decode()
    assert SyncRun.objects.get(trigger="sync now").status == SyncRun.Status.SUCCEEDED
    page = admin_client.get("/admin/webinars/webinar/?sync_enabled__exact=0").content.decode()
    assert "Product Roadmap Live" in page

    admin_client.post("/admin/webinars/webinar/", {
        "action": "enable_sync", "_selected_action": [w.pk for w in Webinar.objects.all()]})
    assert set(Webinar.objects.values_list("sync_enabled", flat=True)) == {True}
    admin_client.post("/admin/webinars/webinar/", {
        "action": "disable_sync", "_selected_action": [discovered.pk]})
    discovered.refresh_from_db()
    assert not discovered.sync_enabled


def test_missing_hubspot_portal_fails_the_run_with_a_clear_error(discovered, admin_client):
    account = ZoomAccount.objects.get()
    account.hubspot_portal = None
    account.save()
    HubSpotPortal.objects.all().delete()
    run = webinar_sync(webinar=discovered, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "No HubSpot portal is linked" in run.error and "connect_hubspot" in run.error
    for url in ("/admin/integrations/syncrun/", "/admin/webinars/webinar/"):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "No HubSpot portal is linked" in response.content.decode()


def test_wrong_zoom_credentials_fail_the_run_with_a_clear_error(discovered, admin_client):
    account = ZoomAccount.objects.get()
    account.client_secret = "not-the-secret"
    account.access_token = ""
    account.save()
    run = webinar_sync(webinar=discovered, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "Zoom rejected the Server-to-Server credentials" in run.error
    assert "not-the-secret" not in run.error
    response = admin_client.get("/admin/integrations/syncrun/")
    assert response.status_code == 200 and "Zoom rejected" in response.content.decode()


def test_sandbox_down_fails_the_run_with_a_clear_error(discovered, settings, admin_client):
    settings.ZOOM_API_BASE_URL = "http://127.0.0.1:9/zoom/v2"
    run = webinar_sync(webinar=discovered, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "Could not reach Zoom at http://127.0.0.1:9/zoom/v2" in run.error
    discovered.refresh_from_db()
    assert discovered.last_sync_status == "failed"
    response = admin_client.get("/admin/webinars/webinar/")
    assert response.status_code == 200 and "Failed" in response.content.decode()


def test_sync_webinars_command_enables_and_syncs_one(discovered, sandbox, capsys):
    from django.core.management import call_command

    call_command("sync_webinars", "--webinar", "81234567890", "--no-progress")
    out = capsys.readouterr().out
    assert "✔ Pipeline Masterclass: 1 registrant(s), 1 attendee(s)" in out
    assert Webinar.objects.get(zoom_id="81234567890").sync_enabled
    assert not Webinar.objects.get(zoom_id="89876543210").sync_enabled
    assert "alice@customer.example" in sandbox.hubspot_contacts()


def test_sync_webinars_command_all_and_default(discovered, sandbox, capsys):
    from django.core.management import call_command

    call_command("sync_webinars", "--no-progress")
    assert "No webinar has sync enabled" in capsys.readouterr().out
    call_command("sync_webinars", "--all", "--no-progress")
    assert set(Webinar.objects.values_list("sync_enabled", flat=True)) == {True}
    assert SyncRun.objects.filter(status="succeeded").count() == 2


def test_sync_webinars_command_fails_clearly_without_accounts(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No Zoom account is linked"):
        call_command("sync_webinars")


def test_schedule_discovers_and_syncs_enabled_webinars(discovered, sandbox):
    from webinars.tasks import sync_all_enabled

    discovered.sync_enabled = True
    discovered.save()
    sync_all_enabled()
    run = webinar_runs(webinar=discovered).get()
    assert run.trigger == "schedule" and run.status == "succeeded", run.error
    assert "alice@customer.example" in sandbox.hubspot_contacts()


def test_sync_run_pages_refresh_themselves_while_a_run_is_running(discovered, admin_client):
    run = WebinarSyncRunFactory(webinar=discovered, status=SyncRun.Status.RUNNING,
                                done=1234, total=5000)
    refresh = 'http-equiv="refresh"'
    page = admin_client.get("/admin/integrations/syncrun/").content.decode()
    assert refresh in page and "1234/5000" in page
    assert refresh in admin_client.get(
        f"/admin/integrations/syncrun/{run.pk}/change/").content.decode()
    # the webinar list shows the live progress too (it does not reload: it has a form)
    page = admin_client.get("/admin/webinars/webinar/").content.decode()
    assert "Running 1234/5000" in page and refresh not in page

    run.status = SyncRun.Status.SUCCEEDED
    run.save()
    assert refresh not in admin_client.get("/admin/integrations/syncrun/").content.decode()
    assert refresh not in admin_client.get(
        f"/admin/integrations/syncrun/{run.pk}/change/").content.decode()
