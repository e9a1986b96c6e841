"""The webinar's admin page lists its own recent syncs (and no other webinar's)."""

import pytest

from integrations.models import SyncRun
from tests.factories import WebinarFactory, WebinarSyncRunFactory

pytestmark = pytest.mark.django_db


def test_webinar_page_lists_its_recent_syncs(admin_client):
    webinar = WebinarFactory(topic="Pipeline Masterclass")
    other = WebinarFactory(topic="Another webinar")
    failed = WebinarSyncRunFactory(webinar=webinar, status=SyncRun.Status.FAILED,
                                   trigger="sync now",
                                   error="HubSpot refused the access token.")
    WebinarSyncRunFactory(webinar=other, status=SyncRun.Status.FAILED, error="Not this one.")

    page = admin_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    assert "Recent syncs" in page
    assert f'href="/admin/integrations/syncrun/{failed.pk}/change/"' in page
    assert "Failed" in page and "HubSpot refused the access token." in page
    assert "Not this one." not in page

    page = admin_client.get(
        f"/admin/webinars/webinar/{WebinarFactory().pk}/change/").content.decode()
    assert "never synced" in page


def test_sync_run_list_names_each_kind(admin_client):
    WebinarSyncRunFactory(status=SyncRun.Status.SUCCEEDED)
    page = admin_client.get("/admin/integrations/syncrun/").content.decode()
    assert "Webinar sync" in page
    page = admin_client.get("/admin/integrations/syncrun/?kind=webinar_discovery").content
    assert "0 sync runs" in page.decode()
