"""When the clients renew the tokens of linked accounts, against the sandbox's token endpoints:
ahead of expiry by a margin, after a refusal (once), never for private-app tokens, and what an
account looks like when it has to be reconnected."""

from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone

from integrations.errors import AuthenticationFailed, NotConfigured, ReconnectNeeded
from integrations.hubspot.oauth import HubSpotOAuth
from integrations.models import ConnectionStatus, HubSpotPortal, ZoomAccount
from integrations.services.clients import hubspot_client_for, zoom_client_for
from integrations.services.tokens import ZoomAccountTokens

pytestmark = pytest.mark.django_db

ZOOM_TOKEN = "zoom POST /oauth/token"
HUBSPOT_TOKEN = "hubspot POST /oauth/v1/token"


def calls(sandbox, endpoint: str) -> int:
    return sandbox.calls()["by_endpoint"].get(endpoint, 0)


def refusals(sandbox) -> int:
    return sandbox.calls()["by_status"].get("401", 0)


def limits(sandbox, body: dict) -> None:
    requests.post(f"{sandbox.url}/_sandbox/limits", json=body, timeout=10).raise_for_status()


def s2s_account(sandbox, *, name="Sandbox Zoom", **fields) -> ZoomAccount:
    creds = sandbox.credentials()["zoom"]
    return ZoomAccount.objects.create(**{
        "name": name, "zoom_account_id": creds["account_id"], "auth_type": "s2s",
        "client_id": creds["client_id"], "client_secret": creds["client_secret"], **fields})


def expiring_in(**delta):
    return timezone.now() + timedelta(**delta)


# --- Zoom ---------------------------------------------------------------------------------

def test_a_token_with_time_to_spare_is_used_as_it_is(sandbox):
    account = s2s_account(sandbox, access_token=sandbox.zoom_token(),
                          token_expires_at=expiring_in(seconds=90))
    sandbox.reset_calls()
    assert zoom_client_for(account=account).get_user("me")["email"]
    assert calls(sandbox, ZOOM_TOKEN) == 0 and refusals(sandbox) == 0


def test_a_token_in_its_last_minute_is_renewed_before_the_call(sandbox):
    old = sandbox.zoom_token()
    account = s2s_account(sandbox, access_token=old, token_expires_at=expiring_in(seconds=50),
                          status=ConnectionStatus.ERROR, last_error="Zoom was down")
    sandbox.reset_calls()
    client = zoom_client_for(account=account)
    client.get_user("me")
    client.get_user("me")
    assert calls(sandbox, ZOOM_TOKEN) == 1 and refusals(sandbox) == 0
    account.refresh_from_db()
    assert account.access_token != old
    assert expiring_in(minutes=59) < account.token_expires_at < expiring_in(minutes=61)
    assert account.status == ConnectionStatus.CONNECTED and account.last_error == ""


def test_short_lived_tokens_are_kept_for_most_of_their_life(sandbox):
    # an 8-second token is renewed in its last quarter (2 s), not in its last minute
    limits(sandbox, {"zoom_token_ttl_s": 8})
    account = s2s_account(sandbox)
    sandbox.reset_calls()
    client = zoom_client_for(account=account)
    for _ in range(3):
        client.get_user("me")
    assert calls(sandbox, ZOOM_TOKEN) == 1
    account.refresh_from_db()  # the lifetime Zoom gave, not a default hour
    assert expiring_in(seconds=5) < account.token_expires_at < expiring_in(seconds=10)


def test_a_token_in_the_last_quarter_of_a_short_life_is_renewed(sandbox):
    limits(sandbox, {"zoom_token_ttl_s": 8})  # its last quarter: the last 2 s
    account = s2s_account(sandbox)
    sandbox.reset_calls()
    client = zoom_client_for(account=account)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get_user("me")
        traveller.shift(6.2)  # 1.8 s left: in the last quarter, not yet in the last fifth
        client.get_user("me")
    assert calls(sandbox, ZOOM_TOKEN) == 2 and refusals(sandbox) == 0


def test_a_regional_api_url_given_with_the_token_is_kept_for_the_next_calls(sandbox, settings):
    settings.ZOOM_API_BASE_URL = "https://api.zoom.us/v2"  # Zoom's default: the token decides
    settings.API_MAX_RETRIES, settings.API_TIMEOUT_S = 0, 3
    account = s2s_account(sandbox)
    ZoomAccountTokens(account).access_token()
    account.refresh_from_db()
    assert zoom_client_for(account=account).get_user("me")["email"]


def held_webinars(client) -> list:
    # A call whose 401 answer Zoom documents (its history report): refused tokens are tried
    # on it, so the recorded traffic stays within Zoom's published API.
    return list(client.iter_past_webinar_pages(date_from="2026-11-01", date_to="2026-11-30"))


def test_a_refused_zoom_token_is_renewed_and_the_call_tried_once_more(sandbox):
    account = s2s_account(sandbox, access_token="revoked-token",
                          token_expires_at=expiring_in(hours=1))
    sandbox.reset_calls()
    assert held_webinars(zoom_client_for(account=account)) == []
    assert refusals(sandbox) == 1 and calls(sandbox, ZOOM_TOKEN) == 1
    account.refresh_from_db()
    assert account.access_token not in ("", "revoked-token")


def test_a_refused_token_is_not_handed_to_the_next_worker(sandbox):
    creds = sandbox.credentials()["zoom"]
    account = s2s_account(sandbox, access_token="revoked-token", client_secret="wrong",
                          token_expires_at=expiring_in(hours=1))
    other = ZoomAccount.objects.create(
        name="Other", zoom_account_id="other-account", auth_type="s2s", client_id="c",
        client_secret="s", access_token=sandbox.zoom_token(),
        token_expires_at=expiring_in(hours=1))
    sandbox.reset_calls()
    with pytest.raises(AuthenticationFailed):  # refused, and the renewal fails too
        held_webinars(zoom_client_for(account=account))
    assert refusals(sandbox) == 2  # the call, then the renewal with the wrong secret

    ZoomAccount.objects.filter(pk=account.pk).update(client_secret=creds["client_secret"])
    account.refresh_from_db()
    assert held_webinars(zoom_client_for(account=account)) == []
    assert refusals(sandbox) == 2  # the next worker renewed first instead of trying it
    # the other account's token was left alone
    sandbox.reset_calls()
    other.refresh_from_db()
    held_webinars(zoom_client_for(account=other))
    assert calls(sandbox, ZOOM_TOKEN) == 0


def test_a_token_refused_twice_in_a_row_fails_instead_of_looping(sandbox):
    limits(sandbox, {"zoom_token_ttl_s": 0})  # every token is dead on arrival
    account = s2s_account(sandbox, access_token="revoked-token",
                          token_expires_at=expiring_in(hours=1))
    sandbox.reset_calls()
    with pytest.raises(AuthenticationFailed) as exc:
        held_webinars(zoom_client_for(account=account))
    assert exc.value.status == 401
    assert refusals(sandbox) == 2


def oauth_account(sandbox, **fields) -> ZoomAccount:
    creds = sandbox.credentials()["zoom"]
    return ZoomAccount.objects.create(**{
        "name": "User OAuth Zoom", "zoom_account_id": creds["account_id"],
        "auth_type": "oauth", "client_id": creds["oauth_client_id"],
        "client_secret": creds["oauth_client_secret"], **fields})


def test_an_oauth_account_without_refresh_token_must_be_reconnected(sandbox):
    account = oauth_account(sandbox, access_token="old", token_expires_at=expiring_in(
        seconds=-5))
    with pytest.raises(ReconnectNeeded) as exc:
        zoom_client_for(account=account).get_user("me")
    expected = "Zoom account “User OAuth Zoom” needs to be reconnected: it has no refresh token."
    assert exc.value.message == expected
    account.refresh_from_db()
    assert account.status == ConnectionStatus.RECONNECT_NEEDED
    assert account.last_error == "it has no refresh token."  # the why, for the banner
    assert account.access_token == "" and account.token_expires_at is None


def test_a_refused_refresh_token_says_which_service_refused_it(sandbox):
    account = oauth_account(sandbox, refresh_token="not-a-refresh-token")
    with pytest.raises(ReconnectNeeded) as exc:
        zoom_client_for(account=account).get_user("me")
    assert exc.value.message.startswith(
        "Zoom account “User OAuth Zoom” needs to be reconnected: Zoom no longer accepts its "
        "refresh token (")
    assert exc.value.detail and exc.value.detail in exc.value.message  # the service's words
    # who refused, and how, for the run page and the logs
    assert (exc.value.service, exc.value.status, exc.value.code) == ("Zoom", 400,
                                                                     "invalid_grant")
    account.refresh_from_db()
    assert account.status == ConnectionStatus.RECONNECT_NEEDED


@pytest.mark.parametrize("missing", ["client_id", "client_secret"])
def test_an_oauth_account_without_app_credentials_is_not_configured(sandbox, missing):
    account = oauth_account(sandbox, refresh_token="r", **{missing: ""})
    sandbox.reset_calls()
    with pytest.raises(NotConfigured) as exc:
        zoom_client_for(account=account).get_user("me")
    assert exc.value.message == (
        "Zoom account “User OAuth Zoom” has no client id/secret; enter them in the admin or "
        "run `manage.py connect_zoom`.")
    assert sandbox.calls()["total"] == 0


# --- HubSpot ------------------------------------------------------------------------------

@pytest.fixture
def hubspot_app(sandbox, settings):
    creds = sandbox.credentials()["hubspot"]
    settings.HUBSPOT_CLIENT_ID = creds["client_id"]
    settings.HUBSPOT_AUTHORIZE_URL = f"{sandbox.url}/hubspot/oauth/authorize"
    return creds


def oauth_portal(sandbox, creds, **fields) -> HubSpotPortal:
    """A portal connected through HubSpot's OAuth (authorize → code → tokens)."""
    oauth = HubSpotOAuth(client_id=creds["client_id"], client_secret=creds["client_secret"])
    redirect = "http://testserver/oauth/hubspot/callback/"
    answer = requests.get(oauth.authorize_url(redirect_uri=redirect, state="s",
                                              scopes="crm.objects.contacts.read"),
                          allow_redirects=False, timeout=10)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    tokens = oauth.authorization_code(code=code, redirect_uri=redirect)
    return HubSpotPortal.objects.create(**{
        "name": "OAuth portal", "hub_id": creds["portal_id"], "auth_type": "oauth",
        "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
        "token_expires_at": tokens.expires_at, "client_secret": creds["client_secret"],
        **fields})


@pytest.mark.parametrize(("left_min", "renewals"), [(4, 1), (6, 0)])
def test_hubspot_tokens_are_renewed_in_their_last_five_minutes(sandbox, hubspot_app,
                                                                left_min, renewals):
    portal = oauth_portal(sandbox, hubspot_app)
    HubSpotPortal.objects.filter(pk=portal.pk).update(
        token_expires_at=expiring_in(minutes=left_min))
    portal.refresh_from_db()
    sandbox.reset_calls()
    client = hubspot_client_for(portal=portal)
    client.list_property_groups()
    client.list_property_groups()
    assert calls(sandbox, HUBSPOT_TOKEN) == renewals and refusals(sandbox) == 0
    portal.refresh_from_db()
    assert portal.refresh_token  # HubSpot keeps the same refresh token
    if renewals:
        assert expiring_in(minutes=29) < portal.token_expires_at < expiring_in(minutes=31)


def test_an_expired_hubspot_token_we_still_trusted_is_renewed_once(sandbox, hubspot_app):
    limits(sandbox, {"hubspot_token_ttl_s": 0})
    # HubSpot thinks the token expired; our clock says it has an hour left
    portal = oauth_portal(sandbox, hubspot_app, token_expires_at=expiring_in(hours=1))
    limits(sandbox, {"hubspot_token_ttl_s": None})
    sandbox.reset_calls()
    assert hubspot_client_for(portal=portal).list_property_groups()
    assert refusals(sandbox) == 1 and calls(sandbox, HUBSPOT_TOKEN) == 1


def test_a_refused_hubspot_refresh_token_says_hubspot_refused_it(sandbox, hubspot_app):
    portal = oauth_portal(sandbox, hubspot_app, refresh_token="not-a-refresh-token",
                          token_expires_at=expiring_in(seconds=-1))
    with pytest.raises(ReconnectNeeded) as exc:
        hubspot_client_for(portal=portal).list_property_groups()
    assert exc.value.message.startswith(
        f"HubSpot portal “{portal}” needs to be reconnected: HubSpot no longer accepts its "
        "refresh token (")
    assert exc.value.detail and exc.value.detail in exc.value.message  # the service's words
    portal.refresh_from_db()
    assert portal.status == ConnectionStatus.RECONNECT_NEEDED and portal.access_token == ""


def test_wrong_app_credentials_are_not_a_dead_refresh_token(sandbox, hubspot_app):
    portal = oauth_portal(sandbox, hubspot_app, client_secret="not-the-app-secret",
                          token_expires_at=expiring_in(seconds=-1))
    with pytest.raises(AuthenticationFailed) as exc:
        hubspot_client_for(portal=portal).list_property_groups()
    assert not isinstance(exc.value, ReconnectNeeded)
    assert exc.value.message.startswith("HubSpot refused the app credentials: ")
    assert len(exc.value.message) > len("HubSpot refused the app credentials: ") + 5


def test_a_private_app_token_is_never_renewed(sandbox):
    portal = HubSpotPortal.objects.create(
        name="Private app", auth_type="private_app",
        access_token=sandbox.credentials()["hubspot"]["token"])
    sandbox.reset_calls()
    client = hubspot_client_for(portal=portal)
    client.list_property_groups()
    client.list_property_groups()
    assert sandbox.calls()["total"] == 2 and calls(sandbox, HUBSPOT_TOKEN) == 0
