"""Linking accounts: credentials are checked first, stored encrypted, never shown again."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from integrations.models import HubSpotPortal, ZoomAccount

pytestmark = pytest.mark.django_db


def test_connect_commands_link_both_accounts(sandbox, capsys):
    creds = sandbox.credentials()
    call_command("connect_hubspot", "--token", creds["hubspot"]["token"],
                 "--portal-id", creds["hubspot"]["portal_id"])
    call_command("connect_zoom", "--account-id", creds["zoom"]["account_id"],
                 "--client-id", creds["zoom"]["client_id"],
                 "--client-secret", creds["zoom"]["client_secret"],
                 "--webhook-secret", creds["zoom"]["webhook_secret"])
    out = capsys.readouterr().out
    assert "Linked HubSpot portal" in out and "Linked Zoom account" in out
    account = ZoomAccount.objects.get()
    assert account.hubspot_portal == HubSpotPortal.objects.get()
    assert account.client_secret == creds["zoom"]["client_secret"]


def test_wrong_zoom_secret_is_refused_with_a_clear_message(sandbox):
    creds = sandbox.credentials()["zoom"]
    with pytest.raises(CommandError) as exc:
        call_command("connect_zoom", "--account-id", creds["account_id"],
                     "--client-id", creds["client_id"], "--client-secret", "wrong-secret")
    assert "Zoom rejected the Server-to-Server credentials" in str(exc.value)
    assert "wrong-secret" not in str(exc.value)
    assert not ZoomAccount.objects.exists()


def test_wrong_zoom_account_id_is_refused(sandbox):
    creds = sandbox.credentials()["zoom"]
    with pytest.raises(CommandError) as exc:
        call_command("connect_zoom", "--account-id", "no-such-account",
                     "--client-id", creds["client_id"],
                     "--client-secret", creds["client_secret"])
    assert "account_id" in str(exc.value)


def test_wrong_hubspot_token_is_refused(sandbox):
    with pytest.raises(CommandError) as exc:
        call_command("connect_hubspot", "--token", "pat-na1-not-a-real-token")
    assert "HubSpot portal not linked" in str(exc.value) and "401" in str(exc.value)
    assert "pat-na1-not-a-real-token" not in str(exc.value)
    assert not HubSpotPortal.objects.exists()


def test_unreachable_service_is_reported_not_crashed(settings):
    settings.HUBSPOT_API_BASE_URL = "http://127.0.0.1:9/hubspot"  # nothing listens on port 9
    with pytest.raises(CommandError) as exc:
        call_command("connect_hubspot", "--token", "pat-na1-anything")
    assert "Could not reach HubSpot at http://127.0.0.1:9/hubspot" in str(exc.value)


def test_secrets_are_encrypted_at_rest(linked, sandbox):
    creds = sandbox.credentials()
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret, webhook_secret, access_token "
                       "FROM integrations_zoomaccount")
        stored = cursor.fetchone()
        cursor.execute("SELECT access_token FROM integrations_hubspotportal")
        stored += cursor.fetchone()
    joined = " ".join(stored)
    assert creds["zoom"]["client_secret"] not in joined
    assert creds["zoom"]["webhook_secret"] not in joined
    assert creds["hubspot"]["token"] not in joined
    assert all(value.startswith("gAAAA") for value in stored)  # Fernet tokens


def test_admin_never_shows_secrets_and_keeps_them_when_left_blank(linked, sandbox, admin_client):
    account, portal = linked
    creds = sandbox.credentials()
    secrets = [creds["zoom"]["client_secret"], creds["zoom"]["webhook_secret"],
               creds["hubspot"]["token"], account.access_token]
    pages = [
        admin_client.get(f"/admin/integrations/zoomaccount/{account.pk}/change/"),
        admin_client.get(f"/admin/integrations/hubspotportal/{portal.pk}/change/"),
        admin_client.get("/admin/integrations/zoomaccount/"),
    ]
    for page in pages:
        assert page.status_code == 200
        for secret in secrets:
            assert secret not in page.content.decode()
    assert "Stored (hidden)" in pages[0].content.decode()

    response = admin_client.post(f"/admin/integrations/zoomaccount/{account.pk}/change/", {
        "name": "Renamed", "zoom_account_id": account.zoom_account_id, "auth_type": "s2s",
        "client_id": account.client_id, "client_secret": "", "webhook_secret": "",
        "hubspot_portal": portal.pk,
    })
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "Renamed"
    assert account.client_secret == creds["zoom"]["client_secret"]
    assert account.webhook_secret == creds["zoom"]["webhook_secret"]


def test_test_connection_action_reports_the_result(linked, admin_client, sandbox):
    account, _ = linked
    sandbox.seed("demo")  # two hosts
    response = admin_client.post("/admin/integrations/zoomaccount/", {
        "action": "test_connection", "_selected_action": [account.pk],
    }, follow=True)
    assert f"{account}: Connected: 2 user(s) visible." in response.content.decode()
