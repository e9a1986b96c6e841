"""The OAuth "connect" flows, end to end: admin button → sandbox consent page → our callback.

The sandbox's authorize pages approve at once and redirect to our callback with a code; the
test follows that redirect by hand (`requests`, no redirects) and hands the callback URL to the
Django test client, exactly as a browser would.
"""

import logging
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import time_machine
from django.db import connection

from integrations.models import HubSpotPortal, UsedOAuthState, ZoomAccount
from integrations.services.accounts import hubspot_portal_connect_private_app
from tests.factories import HubSpotPortalFactory, ZoomAccountFactory

pytestmark = pytest.mark.django_db

PUBLIC = "http://testserver"
ZOOM_CHANGELIST = "/admin/integrations/zoomaccount/"
HUBSPOT_CHANGELIST = "/admin/integrations/hubspotportal/"


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def oauth_apps(sandbox, settings):
    """Both OAuth apps configured with the sandbox's app credentials."""
    creds = sandbox.credentials()
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.HUBSPOT_AUTHORIZE_URL = f"{sandbox.url}/hubspot/oauth/authorize"
    settings.ZOOM_OAUTH_CLIENT_ID = creds["zoom"]["oauth_client_id"]
    settings.ZOOM_OAUTH_CLIENT_SECRET = creds["zoom"]["oauth_client_secret"]
    settings.HUBSPOT_CLIENT_ID = creds["hubspot"]["client_id"]
    settings.HUBSPOT_CLIENT_SECRET = creds["hubspot"]["client_secret"]
    return creds


@pytest.fixture
def portal(oauth_apps):
    """A HubSpot portal linked with the private-app token (the usual first step)."""
    return hubspot_portal_connect_private_app(token=oauth_apps["hubspot"]["token"],
                                              portal_id=oauth_apps["hubspot"]["portal_id"])


def authorize(client, provider: str) -> str:
    """Presses the connect button; returns the sandbox consent-page URL we redirect to."""
    response = client.get(f"/oauth/{provider}/connect/")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def consent(authorize_url: str) -> str:
    """Lets the sandbox approve; returns our callback path + query it sends the browser to."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    back = response.headers["Location"]
    assert back.startswith(f"{PUBLIC}/oauth/"), back
    return back.removeprefix(PUBLIC)


def connect(client, provider: str):
    """The whole flow; returns the followed response of our callback and the callback URL."""
    callback = consent(authorize(client, provider))
    return client.get(callback, follow=True), callback


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def live_secrets(oauth_apps) -> list[str]:
    """Every secret value we hold right now: app secrets and each row's tokens."""
    values = [oauth_apps["zoom"]["oauth_client_secret"], oauth_apps["zoom"]["client_secret"],
              oauth_apps["hubspot"]["client_secret"], oauth_apps["hubspot"]["token"]]
    for account in ZoomAccount.objects.all():
        values += [account.client_secret, account.access_token, account.refresh_token]
    for portal in HubSpotPortal.objects.all():
        values += [portal.client_secret, portal.access_token, portal.refresh_token]
    return [v for v in values if v]


def assert_no_secrets(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, "a secret value appears in a rendered page or log"


# --- Zoom ----------------------------------------------------------------------------------


def test_connect_button_redirects_to_zoom_with_a_signed_state(oauth_apps, admin_client):
    page = admin_client.get(ZOOM_CHANGELIST).content.decode()
    assert 'href="/oauth/zoom/connect/"' in page and "Connect a Zoom account (OAuth)" in page

    url = authorize(admin_client, "zoom")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}".endswith("/zoom/oauth/authorize")
    query = query_of(url)
    assert query["response_type"] == "code"
    assert query["client_id"] == oauth_apps["zoom"]["oauth_client_id"]
    assert query["redirect_uri"] == f"{PUBLIC}/oauth/zoom/callback/"
    assert len(query["state"]) > 30
    assert oauth_apps["zoom"]["oauth_client_secret"] not in url


def test_zoom_connect_links_the_account_with_encrypted_tokens(
    oauth_apps, portal, admin_client, sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    response, callback = connect(admin_client, "zoom")

    account = ZoomAccount.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/integrations/zoomaccount/{account.pk}/change/"
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Linked Zoom account")
    assert account.zoom_account_id in message and "HubSpot portal" in message

    assert account.auth_type == ZoomAccount.AuthType.OAUTH
    assert account.zoom_account_id == oauth_apps["zoom"]["account_id"]
    assert account.client_id == oauth_apps["zoom"]["oauth_client_id"]
    assert account.client_secret == oauth_apps["zoom"]["oauth_client_secret"]
    assert account.access_token and account.refresh_token
    assert account.token_expires_at and account.token_expires_at.timestamp() > time.time()
    assert account.api_url == f"{sandbox.url}/zoom/v2"
    assert account.hubspot_portal == portal
    assert account.status == "connected" and account.last_error == ""

    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token, client_secret "
                       "FROM integrations_zoomaccount")
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAA") for value in stored)  # Fernet
    assert account.access_token not in " ".join(stored)
    assert account.refresh_token not in " ".join(stored)

    # The stored tokens work: the existing "Test connection" action goes through them.
    tested = admin_client.post(ZOOM_CHANGELIST, {
        "action": "test_connection", "_selected_action": [account.pk]}, follow=True)
    assert any("Connected:" in m for m in messages_of(tested)), messages_of(tested)

    # Nothing secret on any page we rendered, in our redirects, or in the log.
    secrets = live_secrets(oauth_apps) + [query_of(callback)["code"]]
    pages = [response, tested, admin_client.get(ZOOM_CHANGELIST),
             admin_client.get(f"/admin/integrations/zoomaccount/{account.pk}/change/"),
             admin_client.get("/admin/")]
    for page in pages:
        assert page.status_code == 200
        assert_no_secrets(page.content.decode(), secrets)
    for location, _ in response.redirect_chain:
        assert_no_secrets(location, secrets)
    assert_no_secrets("\n".join(r.getMessage() for r in caplog.records
                                if not r.name.startswith("sandbox")), secrets)


def test_connecting_the_same_zoom_account_twice_updates_one_row(oauth_apps, admin_client):
    connect(admin_client, "zoom")
    first = ZoomAccount.objects.get()
    first.name = "Marketing Zoom"
    first.save()

    response, _ = connect(admin_client, "zoom")
    assert ZoomAccount.objects.count() == 1
    account = ZoomAccount.objects.get()
    assert account.pk == first.pk and account.name == "Marketing Zoom"
    assert account.refresh_token != first.refresh_token
    assert messages_of(response)[0].startswith("Reconnected Zoom account “Marketing Zoom”")


def test_a_zoom_account_linked_server_to_server_switches_to_oauth(oauth_apps, linked,
                                                                   admin_client):
    account, portal = linked
    connect(admin_client, "zoom")
    account.refresh_from_db()
    assert ZoomAccount.objects.count() == 1
    assert account.auth_type == ZoomAccount.AuthType.OAUTH
    assert account.client_id == oauth_apps["zoom"]["oauth_client_id"]
    assert account.webhook_secret == oauth_apps["zoom"]["webhook_secret"]  # kept
    assert account.hubspot_portal == portal


def test_a_replayed_state_is_refused(oauth_apps, admin_client):
    callback = consent(authorize(admin_client, "zoom"))
    assert messages_of(admin_client.get(callback, follow=True))[0].startswith("Linked")
    tokens = ZoomAccount.objects.values_list("access_token", "refresh_token").get()

    response = admin_client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    [message] = messages_of(response)
    assert "already been used" in message and "Connect a Zoom account (OAuth)" in message
    assert ZoomAccount.objects.values_list("access_token", "refresh_token").get() == tokens
    assert UsedOAuthState.objects.count() == 1


def test_a_tampered_state_is_refused(oauth_apps, admin_client):
    callback = consent(authorize(admin_client, "zoom"))
    query = query_of(callback)
    state = query["state"]
    query["state"] = state[:-3] + ("AAA" if not state.endswith("AAA") else "BBB")
    response = admin_client.get(f"/oauth/zoom/callback/?{urlencode(query)}", follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    assert "sign-in link is not valid" in messages_of(response)[0]
    assert not ZoomAccount.objects.exists()

    missing = admin_client.get(f"/oauth/zoom/callback/?code={query['code']}", follow=True)
    assert "without the sign-in state" in messages_of(missing)[0]
    assert not ZoomAccount.objects.exists()


def test_a_state_for_the_other_service_is_refused(oauth_apps, admin_client):
    hubspot_callback = consent(authorize(admin_client, "hubspot"))
    response = admin_client.get(hubspot_callback.replace("/oauth/hubspot/", "/oauth/zoom/"),
                                follow=True)
    assert "sign-in link is not valid" in messages_of(response)[0]
    assert not ZoomAccount.objects.exists()


def test_an_expired_state_is_refused(oauth_apps, admin_client):
    with time_machine.travel(time.time() - 660):  # pressed "Connect" eleven minutes ago
        url = authorize(admin_client, "zoom")
    response = admin_client.get(consent(url), follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    assert "took longer than 10 minutes and expired" in messages_of(response)[0]
    assert not ZoomAccount.objects.exists()


def test_a_state_started_by_another_admin_is_refused(oauth_apps, admin_client, client,
                                                     django_user_model):
    other = django_user_model.objects.create_superuser("other", "other@example.com", "pw")
    client.force_login(other)
    callback = consent(authorize(admin_client, "zoom"))
    response = client.get(callback, follow=True)
    assert "started by another admin user" in messages_of(response)[0]
    assert not ZoomAccount.objects.exists()


def test_access_denied_on_the_consent_page_is_reported(oauth_apps, admin_client):
    state = query_of(authorize(admin_client, "zoom"))["state"]
    response = admin_client.get(
        f"/oauth/zoom/callback/?{urlencode({'error': 'access_denied', 'state': state})}",
        follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    [message] = messages_of(response)
    assert "Zoom was not connected: access was not granted" in message
    assert not ZoomAccount.objects.exists()


def test_missing_app_settings_are_explained(oauth_apps, admin_client, settings):
    settings.ZOOM_OAUTH_CLIENT_ID = ""
    settings.ZOOM_OAUTH_CLIENT_SECRET = ""
    page = admin_client.get(ZOOM_CHANGELIST).content.decode()
    assert "set ZOOM_OAUTH_CLIENT_ID and ZOOM_OAUTH_CLIENT_SECRET" in page
    assert f"{PUBLIC}/oauth/zoom/callback/" in page  # the redirect URL to register

    response = admin_client.get("/oauth/zoom/connect/", follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    assert "Zoom OAuth is not set up" in messages_of(response)[0]

    settings.HUBSPOT_CLIENT_SECRET = ""
    response = admin_client.get("/oauth/hubspot/connect/", follow=True)
    assert response.redirect_chain[-1][0] == HUBSPOT_CHANGELIST
    [message] = messages_of(response)
    assert "HubSpot OAuth is not set up" in message and "HUBSPOT_CLIENT_SECRET" in message
    assert "HUBSPOT_CLIENT_ID" not in message  # that one is set

    settings.ZOOM_OAUTH_CLIENT_ID = oauth_apps["zoom"]["oauth_client_id"]
    settings.ZOOM_OAUTH_CLIENT_SECRET = oauth_apps["zoom"]["oauth_client_secret"]
    assert "oauth-setup-help" not in admin_client.get(ZOOM_CHANGELIST).content.decode()


def test_a_refused_token_exchange_is_reported_readably(oauth_apps, admin_client, settings):
    callback = consent(authorize(admin_client, "zoom"))
    settings.ZOOM_OAUTH_CLIENT_SECRET = "wrong-client-secret-0123"
    response = admin_client.get(callback, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    [message] = messages_of(response)
    assert "Zoom refused this installation" in message
    assert "ZOOM_OAUTH_CLIENT_ID and ZOOM_OAUTH_CLIENT_SECRET" in message
    assert "wrong-client-secret-0123" not in response.content.decode()
    assert query_of(callback)["code"] not in response.content.decode()
    assert not ZoomAccount.objects.exists()


def test_an_unreachable_zoom_is_reported_not_crashed(oauth_apps, admin_client, settings):
    callback = consent(authorize(admin_client, "zoom"))
    settings.ZOOM_OAUTH_BASE_URL = "http://127.0.0.1:9/zoom"  # nothing listens on port 9
    response = admin_client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == ZOOM_CHANGELIST
    [message] = messages_of(response)
    assert "Zoom could not be reached" in message and "try again" in message
    assert not ZoomAccount.objects.exists()


def test_the_callback_needs_a_staff_login_and_never_passes_the_code_on(oauth_apps, admin_client,
                                                                       client):
    callback = consent(authorize(admin_client, "zoom"))
    response = client.get(callback)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert query_of(callback)["code"] not in response["Location"]
    assert not ZoomAccount.objects.exists()


def test_disconnect_revokes_the_tokens(oauth_apps, admin_client, sandbox):
    connect(admin_client, "zoom")
    account = ZoomAccount.objects.get()
    old_token = account.access_token

    response = admin_client.post(ZOOM_CHANGELIST, {
        "action": "disconnect_oauth", "_selected_action": [account.pk]}, follow=True)
    [message] = messages_of(response)
    assert message.startswith(f"Disconnected “{account.name}”")
    account.refresh_from_db()
    assert account.status == "deauthorized"
    assert account.access_token == "" and account.refresh_token == ""
    assert account.token_expires_at is None
    # Zoom (the sandbox) no longer accepts the old token.
    me = requests.get(f"{sandbox.url}/zoom/v2/users/me", timeout=10,
                      headers={"Authorization": f"Bearer {old_token}",
                               "X-Sandbox-Record": "off"})  # a probe, not product traffic
    assert me.status_code == 401
    # ... and every admin page now asks for a reconnect.
    assert "needs to be reconnected" in admin_client.get("/admin/").content.decode()
    assert_no_secrets(response.content.decode(), [old_token])


def test_disconnect_refuses_server_to_server_accounts(linked, admin_client):
    account, _ = linked
    response = admin_client.post(ZOOM_CHANGELIST, {
        "action": "disconnect_oauth", "_selected_action": [account.pk]}, follow=True)
    assert "Server-to-Server" in messages_of(response)[0]
    account.refresh_from_db()
    assert account.status == "connected" and account.access_token


# --- HubSpot -------------------------------------------------------------------------------


def test_hubspot_connect_links_the_portal(oauth_apps, admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    page = admin_client.get(HUBSPOT_CHANGELIST).content.decode()
    assert 'href="/oauth/hubspot/connect/"' in page and "Connect HubSpot (OAuth)" in page
    waiting = ZoomAccountFactory(name="Waiting")

    url = authorize(admin_client, "hubspot")
    query = query_of(url)
    assert urlsplit(url).path.endswith("/hubspot/oauth/authorize")
    assert query["client_id"] == oauth_apps["hubspot"]["client_id"]
    assert query["redirect_uri"] == f"{PUBLIC}/oauth/hubspot/callback/"
    assert "crm.objects.marketing_events.write" in query["scope"].split()
    callback = consent(url)
    response = admin_client.get(callback, follow=True)

    portal = HubSpotPortal.objects.get()
    assert response.redirect_chain[-1][0] == \
        f"/admin/integrations/hubspotportal/{portal.pk}/change/"
    [message] = messages_of(response)
    assert message.startswith("Linked HubSpot portal") and "424242" in message
    assert portal.hub_id == "424242"
    assert portal.auth_type == HubSpotPortal.AuthType.OAUTH
    assert portal.access_token and portal.refresh_token
    assert portal.token_expires_at.timestamp() > time.time()
    assert portal.client_secret == oauth_apps["hubspot"]["client_secret"]
    assert portal.app_id
    assert portal.status == "connected"
    waiting.refresh_from_db()
    assert waiting.hubspot_portal == portal

    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token, client_secret "
                       "FROM integrations_hubspotportal")
        assert all(value.startswith("gAAAA") for value in cursor.fetchone())

    secrets = live_secrets(oauth_apps) + [query_of(callback)["code"]]
    for page in [response, admin_client.get(HUBSPOT_CHANGELIST),
                 admin_client.get(f"/admin/integrations/hubspotportal/{portal.pk}/change/")]:
        assert page.status_code == 200
        assert_no_secrets(page.content.decode(), secrets)
    assert_no_secrets("\n".join(r.getMessage() for r in caplog.records
                                if not r.name.startswith("sandbox")), secrets)


def test_hubspot_connect_turns_the_private_app_portal_into_oauth(oauth_apps, portal,
                                                                 admin_client):
    response, _ = connect(admin_client, "hubspot")
    assert HubSpotPortal.objects.count() == 1
    portal.refresh_from_db()
    assert portal.auth_type == HubSpotPortal.AuthType.OAUTH and portal.refresh_token
    assert messages_of(response)[0].startswith("Reconnected HubSpot portal")


def test_hubspot_refused_exchange_and_denial_are_reported(oauth_apps, admin_client, settings):
    callback = consent(authorize(admin_client, "hubspot"))
    settings.HUBSPOT_CLIENT_SECRET = "wrong-hubspot-secret-0123"
    response = admin_client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == HUBSPOT_CHANGELIST
    [message] = messages_of(response)
    assert "HubSpot" in message and "HUBSPOT_CLIENT_SECRET" in message
    assert "wrong-hubspot-secret-0123" not in response.content.decode()
    assert not HubSpotPortal.objects.exists()

    state = query_of(authorize(admin_client, "hubspot"))["state"]
    response = admin_client.get(
        f"/oauth/hubspot/callback/?{urlencode({'error': 'access_denied', 'state': state})}",
        follow=True)
    assert "HubSpot was not connected: access was not granted" in messages_of(response)[0]

    replay = admin_client.get(callback, follow=True)
    assert "already been used" in messages_of(replay)[0]


# --- the reconnect banner ------------------------------------------------------------------


def test_banner_asks_to_reconnect_accounts_that_need_it(oauth_apps, admin_client,
                                                       django_assert_max_num_queries):
    connect(admin_client, "zoom")
    account = ZoomAccount.objects.get()
    s2s = ZoomAccountFactory(name="Old S2S")
    portal = HubSpotPortalFactory(name="Main portal", auth_type="oauth", access_token="")

    for url in ["/admin/", ZOOM_CHANGELIST, "/admin/integrations/syncrun/"]:
        assert "needs to be reconnected" not in admin_client.get(url).content.decode()

    ZoomAccount.objects.filter(pk=account.pk).update(
        status="reconnect_needed",
        last_error="Zoom no longer accepts its refresh token (Invalid Token!).")
    ZoomAccount.objects.filter(pk=s2s.pk).update(status="deauthorized", last_error="")
    HubSpotPortal.objects.filter(pk=portal.pk).update(status="reconnect_needed",
                                                      last_error="HubSpot said invalid_grant.")
    for url in ["/admin/", ZOOM_CHANGELIST, "/admin/integrations/syncrun/"]:
        page = admin_client.get(url).content.decode()
        assert (f"Zoom account “{account.name}” needs to be reconnected: Zoom no longer accepts "
                "its refresh token (Invalid Token!). — "
                '<a href="/oauth/zoom/connect/">Reconnect</a>') in page
        assert (f"Zoom account “Old S2S” needs to be reconnected: its access was withdrawn — "
                f'<a href="/admin/integrations/zoomaccount/{s2s.pk}/change/">Reconnect</a>'
                ) in page
        assert ("HubSpot portal “Main portal” needs to be reconnected: HubSpot said "
                'invalid_grant. — <a href="/oauth/hubspot/connect/">Reconnect</a>') in page

    from integrations.services.oauth import reconnect_notices_list

    with django_assert_max_num_queries(1):
        assert len(reconnect_notices_list()) == 3


def test_banner_is_not_shown_to_anonymous_visitors(oauth_apps, client):
    ZoomAccountFactory(name="Gone", status="deauthorized")
    page = client.get("/admin/login/").content.decode()
    assert "needs to be reconnected" not in page
