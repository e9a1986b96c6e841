"""No secret — client secret, access or refresh token — in logs, errors, admin pages or the
sandbox's exchange record."""

import logging

import pytest
import requests

from integrations.models import HubSpotPortal, ZoomAccount
from sandbox import SandboxServer
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}


def test_secrets_never_leak(settings, tmp_path, caplog, client, django_user_model):
    caplog.set_level(logging.DEBUG)
    record = tmp_path / "exchanges.jsonl"
    with SandboxServer(record_path=str(record)) as server:
        settings.ZOOM_OAUTH_BASE_URL = f"{server.url}/zoom"
        settings.ZOOM_API_BASE_URL = f"{server.url}/zoom/v2"
        settings.HUBSPOT_API_BASE_URL = f"{server.url}/hubspot"
        requests.post(f"{server.url}/_sandbox/seed", timeout=10, json={
            "scenario": "custom",
            **world(past_webinar(registrants=[ALICE], participants=[(ALICE["email"], 0, 30)]))})
        creds = requests.get(f"{server.url}/_sandbox/credentials", timeout=5).json()
        from django.core.management import call_command

        call_command("connect_hubspot", "--token", creds["hubspot"]["token"],
                     "--client-secret", creds["hubspot"]["client_secret"])
        call_command("connect_zoom", "--account-id", creds["zoom"]["account_id"],
                     "--client-id", creds["zoom"]["client_id"],
                     "--client-secret", creds["zoom"]["client_secret"],
                     "--webhook-secret", creds["zoom"]["webhook_secret"])
        account = ZoomAccount.objects.get()
        webinars_discover(account=account)
        webinar = Webinar.objects.get()
        webinar.sync_enabled = True
        webinar.save()
        ok_run = webinar_sync(webinar=webinar, trigger="test")
        account.refresh_from_db()
        live_token = account.access_token
        # and a failure: Zoom refuses a wrong secret
        account.client_secret = "wrong-" + creds["zoom"]["client_secret"]
        account.access_token = ""
        account.save()
        failed_run = webinar_sync(webinar=webinar, trigger="test")

    admin = django_user_model.objects.create_superuser("root", "r@example.com", "pw-123456!")
    client.force_login(admin)
    portal = HubSpotPortal.objects.get()
    pages = "".join(client.get(url).content.decode() for url in [
        "/admin/", "/admin/integrations/zoomaccount/",
        f"/admin/integrations/zoomaccount/{account.pk}/change/",
        f"/admin/integrations/hubspotportal/{portal.pk}/change/",
        "/admin/integrations/syncrun/",
        f"/admin/integrations/syncrun/{failed_run.pk}/change/",
    ])
    secrets = {
        "zoom client secret": creds["zoom"]["client_secret"],
        "zoom webhook secret": creds["zoom"]["webhook_secret"],
        "hubspot token": creds["hubspot"]["token"],
        "hubspot client secret": creds["hubspot"]["client_secret"],
        "zoom access token": live_token,
    }
    assert ok_run.status == "succeeded", ok_run.error
    assert failed_run.status == "failed" and "Zoom rejected" in failed_run.error
    places = {"logs": caplog.text, "errors": ok_run.error + failed_run.error,
              "admin pages": pages, "exchange record": record.read_text()}
    assert "Zoom GET /users" in caplog.text  # the DEBUG request log is really captured
    for where, text in places.items():
        for name, value in secrets.items():
            assert value and value not in text, f"{name} found in {where}"
