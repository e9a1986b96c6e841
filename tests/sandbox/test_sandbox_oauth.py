"""OAuth flows of the sandbox (auto-approved), token lifetimes, revocation, introspection."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

REDIRECT = "http://127.0.0.1:8000/integrations/oauth/zoom/callback"
HS_REDIRECT = "http://127.0.0.1:8000/integrations/oauth/hubspot/callback"
# Where 401s are checked: Zoom's spec documents a 401 for this operation (not for /users).
PROBE = "/report/history_meetings?from=2024-01-01&to=2024-01-02"


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -------------------------------------------------------------------------------- Zoom


class ZoomOAuth:
    def __init__(self, client):
        self.client = client
        zoom = client.creds["zoom"]
        self.auth = (zoom["oauth_client_id"], zoom["oauth_client_secret"])
        self.client_id = zoom["oauth_client_id"]

    def authorize(self, redirect_uri=REDIRECT, state="st4te", **extra):
        params = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": redirect_uri, "state": state, **extra}
        return self.client.http.get(f"{self.client.url}/zoom/oauth/authorize", params=params,
                                    allow_redirects=False, timeout=10)

    def code(self, redirect_uri=REDIRECT, **extra) -> str:
        response = self.authorize(redirect_uri, **extra)
        assert response.status_code == 302, response.text
        return query_of(response.headers["Location"])["code"]

    def token(self, auth=None, **form):
        return self.client.http.post(f"{self.client.url}/zoom/oauth/token", data=form,
                                     auth=auth or self.auth, timeout=10)

    def exchange(self, code, redirect_uri=REDIRECT, **extra):
        return self.token(grant_type="authorization_code", code=code,
                          redirect_uri=redirect_uri, **extra)

    def refresh(self, refresh_token):
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def revoke(self, token, auth=None):
        return self.client.http.post(f"{self.client.url}/zoom/oauth/revoke",
                                     params={"token": token}, auth=auth or self.auth,
                                     timeout=10)

    def api(self, access_token, path="/users/me"):
        return self.client.http.get(f"{self.client.url}/zoom/v2{path}", timeout=10,
                                    headers={"Authorization": f"Bearer {access_token}"})


@pytest.fixture
def zoom_oauth(client):
    client.seed("demo")
    return ZoomOAuth(client)


def test_credentials_list_the_oauth_apps(client):
    zoom, hubspot = client.creds["zoom"], client.creds["hubspot"]
    assert {"account_id", "client_id", "client_secret", "webhook_secret", "oauth_client_id",
            "oauth_client_secret"} == set(zoom)
    assert zoom["oauth_client_id"] != zoom["client_id"]
    assert {"token", "portal_id", "app_id", "client_id", "client_secret",
            "developer_api_key"} == set(hubspot)


def test_zoom_authorization_code_flow(zoom_oauth, client):
    response = zoom_oauth.authorize(redirect_uri=REDIRECT + "?next=%2Fadmin%2F")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?next=%2Fadmin%2F&")
    params = query_of(location)
    assert params["state"] == "st4te" and params["code"]

    response = zoom_oauth.exchange(params["code"], redirect_uri=REDIRECT + "?next=%2Fadmin%2F")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "refresh_token", "expires_in", "scope",
                         "api_url"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["api_url"] == f"{client.url}/zoom"  # + "/v2" = the API base
    assert body["access_token"] != body["refresh_token"]

    me = zoom_oauth.api(body["access_token"])
    assert me.status_code == 200 and me.json()["email"] == "host@sandbox.example"
    assert me.json()["account_id"] == client.creds["zoom"]["account_id"]
    webinars = zoom_oauth.api(body["access_token"], "/users/me/webinars")
    assert webinars.status_code == 200 and webinars.json()["total_records"] >= 1
    # the refresh token is not an access token
    assert zoom_oauth.api(body["refresh_token"], PROBE).status_code == 401


def test_zoom_code_is_single_use_and_bound_to_its_redirect_uri(zoom_oauth):
    code = zoom_oauth.code()
    response = zoom_oauth.exchange(code, redirect_uri="http://127.0.0.1:8000/elsewhere")
    assert response.status_code == 400
    assert response.json() == {"reason": "Redirect URI mismatch.", "error": "invalid_request"}
    response = zoom_oauth.exchange(code, redirect_uri=None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"

    assert zoom_oauth.exchange(code).status_code == 200
    again = zoom_oauth.exchange(code)
    assert again.status_code == 400
    assert again.json() == {"reason": "Invalid authorization code", "error": "invalid_grant"}
    assert zoom_oauth.exchange("made-up").json()["error"] == "invalid_grant"


def test_zoom_token_endpoint_checks_the_client(zoom_oauth, client):
    code = zoom_oauth.code()
    response = zoom_oauth.token(auth=(zoom_oauth.client_id, "wrong"),
                                grant_type="authorization_code", code=code,
                                redirect_uri=REDIRECT)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    # the Server-to-Server app cannot redeem a user's code, and vice versa
    s2s = (client.creds["zoom"]["client_id"], client.creds["zoom"]["client_secret"])
    response = zoom_oauth.token(auth=s2s, grant_type="authorization_code", code=code,
                                redirect_uri=REDIRECT)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    response = zoom_oauth.token(grant_type="account_credentials",
                                account_id=client.creds["zoom"]["account_id"])
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    # the code survived all that
    assert zoom_oauth.exchange(code).status_code == 200


def test_zoom_authorize_rejects_unknown_clients_and_bad_requests(zoom_oauth, client):
    url = f"{client.url}/zoom/oauth/authorize"
    response = client.http.get(url, params={"response_type": "code", "client_id": "nope",
                                            "redirect_uri": REDIRECT},
                               allow_redirects=False, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_client"
    page = client.http.get(url, params={"response_type": "code", "client_id": "nope",
                                        "redirect_uri": REDIRECT},
                           headers={"Accept": "text/html"}, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "text/html" in page.headers["Content-Type"]
    assert zoom_oauth.authorize(redirect_uri="not a url").status_code == 400
    assert zoom_oauth.authorize(response_type="token").status_code == 400
    # no state: none comes back
    response = zoom_oauth.authorize(state=None)
    assert "state" not in query_of(response.headers["Location"])


def test_zoom_pkce(zoom_oauth):
    verifier = "a-very-long-random-verifier-0123456789-abcdefghijklmnop"
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    code = zoom_oauth.code(code_challenge=challenge, code_challenge_method="S256")
    assert zoom_oauth.exchange(code).status_code == 400  # verifier missing
    assert zoom_oauth.exchange(code, code_verifier="wrong").status_code == 400
    assert zoom_oauth.exchange(code, code_verifier=verifier).status_code == 200


def test_zoom_refresh_rotates_the_refresh_token(zoom_oauth):
    first = zoom_oauth.exchange(zoom_oauth.code()).json()
    response = zoom_oauth.refresh(first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["api_url"].endswith("/zoom")
    assert zoom_oauth.api(second["access_token"]).status_code == 200

    # the old refresh token is dead at once
    old = zoom_oauth.refresh(first["refresh_token"])
    assert old.status_code == 400
    assert old.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    # the new one works (once)
    third = zoom_oauth.refresh(second["refresh_token"])
    assert third.status_code == 200
    assert zoom_oauth.refresh(second["refresh_token"]).status_code == 400
    assert zoom_oauth.refresh("garbage").json()["error"] == "invalid_grant"


def test_zoom_revoke_kills_the_grant(zoom_oauth, client):
    tokens = zoom_oauth.exchange(zoom_oauth.code()).json()
    other = zoom_oauth.exchange(zoom_oauth.code()).json()
    response = zoom_oauth.revoke(tokens["access_token"])
    assert response.status_code == 200 and response.json() == {"status": "success"}
    denied = zoom_oauth.api(tokens["access_token"], PROBE)
    assert denied.status_code == 401
    assert denied.json() == {"code": 124, "message": "Invalid access token."}
    assert zoom_oauth.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert zoom_oauth.api(other["access_token"]).status_code == 200  # another grant

    # revoking by refresh token works as well; revoking twice is fine
    assert zoom_oauth.revoke(other["refresh_token"]).json() == {"status": "success"}
    assert zoom_oauth.revoke(other["refresh_token"]).status_code == 200
    assert zoom_oauth.api(other["access_token"], PROBE).status_code == 401
    assert zoom_oauth.revoke("garbage").status_code == 400

    # a Server-to-Server token is revoked with the Server-to-Server client
    s2s_auth = (client.creds["zoom"]["client_id"], client.creds["zoom"]["client_secret"])
    s2s = client.zoom_token()
    assert zoom_oauth.revoke(s2s).status_code == 400  # not the user-OAuth app's token
    assert zoom_oauth.revoke(s2s, auth=s2s_auth).json() == {"status": "success"}
    assert zoom_oauth.api(s2s, PROBE).status_code == 401


def test_zoom_token_ttl_applies_to_s2s_and_user_tokens(zoom_oauth, client):
    client.limits(zoom_token_ttl_s=90.3)
    user = zoom_oauth.exchange(zoom_oauth.code()).json()
    s2s = client.token_response().json()
    assert user["expires_in"] == 91 and s2s["expires_in"] == 91  # rounded up
    assert zoom_oauth.api(user["access_token"]).status_code == 200
    client.advance(60)
    assert zoom_oauth.api(s2s["access_token"], PROBE).status_code == 200
    client.advance(31)
    for token in (user["access_token"], s2s["access_token"]):
        response = zoom_oauth.api(token, PROBE)
        assert response.status_code == 401
        assert response.json() == {"code": 124, "message": "Access token is expired."}
    # an expired access token does not stop the refresh token
    fresh = zoom_oauth.refresh(user["refresh_token"])
    assert fresh.status_code == 200
    client.limits(zoom_token_ttl_s=None)
    assert client.token_response().json()["expires_in"] == 3600


# -------------------------------------------------------------------------------- HubSpot


class HubSpotOAuth:
    SCOPES = "crm.objects.contacts.read crm.objects.contacts.write"

    def __init__(self, client):
        self.client = client
        hs = client.creds["hubspot"]
        self.client_id, self.client_secret = hs["client_id"], hs["client_secret"]

    def authorize(self, redirect_uri=HS_REDIRECT, scope=SCOPES, **extra):
        params = {"client_id": self.client_id, "redirect_uri": redirect_uri, "scope": scope,
                  "state": "hs-state", **extra}
        return self.client.http.get(f"{self.client.url}/hubspot/oauth/authorize",
                                    params=params, allow_redirects=False, timeout=10)

    def code(self, **kw) -> str:
        response = self.authorize(**kw)
        assert response.status_code == 302, response.text
        return query_of(response.headers["Location"])["code"]

    def token(self, **form):
        data = {"client_id": self.client_id, "client_secret": self.client_secret, **form}
        return self.client.http.post(f"{self.client.url}/hubspot/oauth/v1/token", data=data,
                                     timeout=10)

    def exchange(self, code, redirect_uri=HS_REDIRECT, **form):
        return self.token(grant_type="authorization_code", code=code,
                          redirect_uri=redirect_uri, **form)

    def api(self, access_token):
        return self.client.http.get(f"{self.client.url}/hubspot/crm/v3/properties/contacts",
                                    headers={"Authorization": f"Bearer {access_token}"},
                                    timeout=10)


@pytest.fixture
def hs_oauth(client):
    return HubSpotOAuth(client)


def assert_hubspot_oauth_error(response, status):
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"status", "message", "correlationId", "error", "error_description"}
    assert body["status"] == status and body["error_description"] == body["message"]
    return body


def test_hubspot_authorization_code_flow(hs_oauth, client):
    response = hs_oauth.authorize()
    assert response.status_code == 302
    params = query_of(response.headers["Location"])
    assert params["state"] == "hs-state"
    response = hs_oauth.exchange(params["code"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token_type", "refresh_token", "access_token", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    assert hs_oauth.api(body["access_token"]).status_code == 200

    info = client.http.get(f"{client.url}/hubspot/oauth/v1/access-tokens/"
                           f"{body['access_token']}", timeout=10)
    assert info.status_code == 200
    data = info.json()
    assert data["token"] == body["access_token"] and data["token_type"] == "access"
    assert data["user"] == "admin@sandbox.example"
    assert data["hub_domain"] == "sandbox.hubspot.example"
    assert data["hub_id"] == 424242 and data["app_id"] == 1001 and data["user_id"] == 1
    assert set(data["scopes"]) == {"oauth", "crm.objects.contacts.read",
                                   "crm.objects.contacts.write"}
    assert 1790 <= data["expires_in"] <= 1800
    info = client.http.get(f"{client.url}/hubspot/oauth/v1/refresh-tokens/"
                           f"{body['refresh_token']}", timeout=10)
    assert info.status_code == 200 and info.json()["token_type"] == "refresh"
    assert client.http.get(f"{client.url}/hubspot/oauth/v1/access-tokens/nope",
                           timeout=10).status_code == 404


def test_hubspot_code_errors(hs_oauth):
    code = hs_oauth.code()
    assert_hubspot_oauth_error(hs_oauth.exchange(code, redirect_uri="http://x.example/cb"),
                               "BAD_REDIRECT_URI")
    assert_hubspot_oauth_error(hs_oauth.exchange(code, client_id="nope"), "BAD_CLIENT_ID")
    assert_hubspot_oauth_error(hs_oauth.exchange(code, client_secret="nope"),
                               "BAD_CLIENT_SECRET")
    assert hs_oauth.exchange(code).status_code == 200
    body = assert_hubspot_oauth_error(hs_oauth.exchange(code), "BAD_AUTH_CODE")
    assert body["error"] == "invalid_grant"
    assert_hubspot_oauth_error(hs_oauth.token(grant_type="refresh_token",
                                              refresh_token="nope"), "BAD_REFRESH_TOKEN")
    assert hs_oauth.authorize(client_id="nope").status_code == 400
    assert hs_oauth.authorize(scope="").status_code == 400


def test_hubspot_refresh_does_not_rotate(hs_oauth):
    first = hs_oauth.exchange(hs_oauth.code()).json()
    second = hs_oauth.token(grant_type="refresh_token", refresh_token=first["refresh_token"],
                            redirect_uri=HS_REDIRECT).json()
    assert second["refresh_token"] == first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    third = hs_oauth.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert third.status_code == 200
    assert hs_oauth.api(first["access_token"]).status_code == 200  # still valid until expiry

    # deleting the refresh token uninstalls: every token of the grant stops working
    delete = hs_oauth.client.http.delete(
        f"{hs_oauth.client.url}/hubspot/oauth/v1/refresh-tokens/{first['refresh_token']}",
        timeout=10)
    assert delete.status_code == 204
    assert hs_oauth.api(second["access_token"]).status_code == 401
    assert_hubspot_oauth_error(hs_oauth.token(grant_type="refresh_token",
                                              refresh_token=first["refresh_token"]),
                               "BAD_REFRESH_TOKEN")


def test_hubspot_token_ttl_and_expired_message(frozen_client):
    client = frozen_client  # the clock stands still: the token expired exactly 1 s ago
    hs_oauth = HubSpotOAuth(client)
    client.limits(hubspot_token_ttl_s=90.2)
    tokens = hs_oauth.exchange(hs_oauth.code()).json()
    assert tokens["expires_in"] == 91
    client.advance(91.2)
    response = hs_oauth.api(tokens["access_token"])
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"status", "message", "correlationId", "category"}
    assert body["status"] == "error" and body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"] == ("The OAuth token used to make this call expired 1 second(s) "
                               "ago.")
    # the private-app token never expires
    assert client.hubspot("GET", "/crm/v3/properties/contacts").status_code == 200
    assert client.limits(hubspot_token_ttl_s=None)["hubspot_token_ttl_s"] == 1800
    renewed = hs_oauth.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert renewed.json()["expires_in"] == 1800
    assert hs_oauth.api(renewed.json()["access_token"]).status_code == 200


def test_oauth_exchanges_are_recorded_without_secrets(tmp_path):
    from sandbox import SandboxServer
    from tests.sandbox.conftest import Client

    record = tmp_path / "exchanges.jsonl"
    with SandboxServer(record_path=str(record)) as srv:
        client = Client(srv)
        zoom = ZoomOAuth(client)
        code = zoom.code()
        tokens = zoom.exchange(code).json()
        refreshed = zoom.refresh(tokens["refresh_token"]).json()
        zoom.revoke(refreshed["access_token"])
        hs = HubSpotOAuth(client)
        hs_code = hs.code()
        hs_tokens = hs.exchange(hs_code).json()
        client.http.get(f"{client.url}/hubspot/oauth/v1/access-tokens/"
                        f"{hs_tokens['access_token']}", timeout=10)
        client.http.close()
    text = record.read_text()
    secrets = [code, hs_code, tokens["access_token"], tokens["refresh_token"],
               refreshed["access_token"], refreshed["refresh_token"], hs_tokens["access_token"],
               hs_tokens["refresh_token"], client.creds["zoom"]["oauth_client_secret"],
               client.creds["hubspot"]["client_secret"]]
    for secret in secrets:
        assert secret not in text
    services = [line.split('"service": "')[1].split('"')[0] for line in text.splitlines()]
    assert set(services) == {"zoom-oauth", "hubspot"}
