"""A FIELD_ENCRYPTION_KEY that no longer decrypts the stored secrets (changed without rotating):
the admin still opens, says which secrets to enter again and takes the new values; syncs fail
with a sentence that says what to do; nothing overwrites the unreadable values meanwhile."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from integrations.crypto import decrypt
from integrations.models import HubSpotPortal, SyncRun, ZoomAccount
from tests.factories import HubSpotPortalFactory, WebinarFactory, ZoomAccountFactory
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
UNREADABLE = "unreadable — enter it again"


@pytest.fixture
def stored_under_old_key(settings, sandbox):
    settings.FIELD_ENCRYPTION_KEY = [OLD_KEY]
    portal = HubSpotPortalFactory(name="Main portal", access_token="pat-na1-old-token",
                                  client_secret="hubspot-client-secret")
    account = ZoomAccountFactory(name="Marketing Zoom", client_secret="zoom-client-secret",
                                 webhook_secret="zoom-webhook-secret",
                                 access_token="zoom-access-token", hubspot_portal=portal)
    webinar = WebinarFactory(zoom_account=account, sync_enabled=True)
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]  # the old key is gone
    return account, portal, webinar


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_admin_pages_open_and_say_which_secrets_to_enter_again(stored_under_old_key,
                                                               admin_client):
    account, portal, webinar = stored_under_old_key
    for url in ("/admin/", "/admin/integrations/zoomaccount/",
                f"/admin/integrations/zoomaccount/{account.pk}/change/",
                "/admin/integrations/hubspotportal/",
                f"/admin/integrations/hubspotportal/{portal.pk}/change/",
                "/admin/webinars/webinar/", f"/admin/webinars/webinar/{webinar.pk}/change/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        if "zoomaccount" in url or "hubspotportal" in url:
            assert UNREADABLE in response.content.decode(), url
    listing = admin_client.get("/admin/integrations/zoomaccount/").content.decode()
    assert f"client secret, webhook secret, token: {UNREADABLE}" in listing


def test_view_only_staff_sees_the_unreadable_state_too(stored_under_old_key, client,
                                                       django_user_model):
    from django.contrib.auth.models import Permission

    account, _, _ = stored_under_old_key
    user = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_zoomaccount"))
    client.force_login(user)
    page = client.get(f"/admin/integrations/zoomaccount/{account.pk}/change/")
    assert page.status_code == 200 and UNREADABLE in page.content.decode()


def test_a_new_secret_entered_in_the_admin_is_saved_and_the_others_kept(stored_under_old_key,
                                                                       admin_client, settings):
    account, portal, _ = stored_under_old_key
    webhook_before = raw("integrations_zoomaccount", "webhook_secret", account.pk)
    response = admin_client.post(f"/admin/integrations/zoomaccount/{account.pk}/change/", {
        "name": "Marketing Zoom", "zoom_account_id": account.zoom_account_id,
        "auth_type": "s2s", "client_id": "client-id", "client_secret": "re-entered-secret",
        "webhook_secret": "", "hubspot_portal": portal.pk})
    assert response.status_code == 302

    account = ZoomAccount.objects.get(pk=account.pk)
    assert account.client_secret == "re-entered-secret"
    assert decrypt(raw("integrations_zoomaccount", "client_secret", account.pk)) \
        == "re-entered-secret"
    # left blank: the unreadable value stays as it was, for when the old key comes back
    assert raw("integrations_zoomaccount", "webhook_secret", account.pk) == webhook_before
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]
    assert ZoomAccount.objects.get(pk=account.pk).webhook_secret == "zoom-webhook-secret"


def test_saving_other_fields_keeps_unreadable_tokens(stored_under_old_key, settings):
    account, portal, _ = stored_under_old_key
    account.name = "Renamed"
    account.save()
    portal.save()
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]
    account = ZoomAccount.objects.get(pk=account.pk)
    assert (account.name, account.client_secret, account.access_token) == (
        "Renamed", "zoom-client-secret", "zoom-access-token")
    assert HubSpotPortal.objects.get().access_token == "pat-na1-old-token"


def test_a_sync_fails_with_a_sentence_that_says_what_to_do(stored_under_old_key, sandbox):
    _, _, webinar = stored_under_old_key
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert "cannot be decrypted with FIELD_ENCRYPTION_KEY" in run.error
    assert "Enter it again in the admin" in run.error
    assert sandbox.calls()["total"] == 0  # nothing was sent without its secret


def test_a_sync_names_the_account_whose_secret_cannot_be_read(stored_under_old_key, sandbox):
    _, _, webinar = stored_under_old_key
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.error.startswith("Zoom account “Marketing Zoom”: the stored client secret ")


def test_an_unreadable_refresh_token_is_found_before_zoom_is_asked(settings, sandbox):
    """A user-OAuth account: its refresh token is what a renewal sends."""
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]
    portal = HubSpotPortalFactory()
    settings.FIELD_ENCRYPTION_KEY = [OLD_KEY]
    account = ZoomAccountFactory(name="User Zoom", auth_type=ZoomAccount.AuthType.OAUTH,
                                 client_secret="zoom-client-secret",
                                 refresh_token="zoom-refresh-token", access_token="",
                                 hubspot_portal=portal)
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]
    ZoomAccount.objects.filter(pk=account.pk).update(client_secret="zoom-client-secret")
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]  # now only the refresh token is unreadable
    webinar = WebinarFactory(zoom_account=ZoomAccount.objects.get(pk=account.pk))
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Zoom account “User Zoom”: the stored refresh token cannot be "
                                "decrypted")
    assert sandbox.calls()["total"] == 0


def test_an_unreadable_hubspot_refresh_token_names_the_portal(settings, sandbox):
    settings.FIELD_ENCRYPTION_KEY = [OLD_KEY]
    portal = HubSpotPortalFactory(name="OAuth portal", auth_type=HubSpotPortal.AuthType.OAUTH,
                                  access_token="expired-access-token",
                                  refresh_token="hubspot-refresh-token",
                                  client_secret="hubspot-client-secret")
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]
    HubSpotPortal.objects.filter(pk=portal.pk).update(access_token="expired-access-token",
                                                      client_secret="hubspot-client-secret")
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]  # only the refresh token is unreadable
    from integrations.errors import NotConfigured
    from integrations.services.clients import hubspot_client_for

    with pytest.raises(NotConfigured) as exc:
        hubspot_client_for(portal=HubSpotPortal.objects.get(pk=portal.pk)).list_property_groups()
    assert exc.value.message.startswith(f"HubSpot portal “{portal}”: the stored ")
    assert sandbox.calls()["total"] == 0
