"""HubSpot authentication: the private-app token and the public app's OAuth (authorize,
token, token introspection, revocation), and the bearer-token check of every API request."""

from __future__ import annotations

import html
import math
import uuid
from urllib.parse import urlencode, urlsplit

from ..common import HubSpotError, Reply
from ..credentials import (
    HUBSPOT_APP_ID,
    HUBSPOT_CLIENT_ID,
    HUBSPOT_CLIENT_SECRET,
    HUBSPOT_DEFAULT_SCOPES,
    HUBSPOT_HUB_DOMAIN,
    HUBSPOT_PORTAL_ID,
    HUBSPOT_TOKEN,
    HUBSPOT_USER,
)
from ..tokens import HUBSPOT_ACCESS, HUBSPOT_REFRESH, TokenStore, make_token, parse_token
from ..world import World

PRIVATE_APP_GROUP = f"publicapi:private-app:{HUBSPOT_PORTAL_ID}"
OAUTH_APP_GROUP = f"publicapi:oauth:{HUBSPOT_APP_ID}:{HUBSPOT_PORTAL_ID}"


_NO_AUTH = ("Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview")


def check_auth(req) -> str:
    """The rate-limit group of the caller (private app or OAuth app), else a 401."""
    token = req.bearer()
    if token == HUBSPOT_TOKEN:
        return PRIVATE_APP_GROUP
    status, tok = req.world.tokens.check(token, (HUBSPOT_ACCESS,))
    if status == "ok":
        return OAUTH_APP_GROUP
    if status == "expired":
        raise _expired(req.world, tok)
    raise HubSpotError(401, "INVALID_AUTHENTICATION", _NO_AUTH)


def _expired(world: World, tok) -> HubSpotError:
    ago = max(0, int(tok.expired_for_s(world.clock.time())))
    return HubSpotError(401, "EXPIRED_AUTHENTICATION",
                        f"The OAuth token used to make this call expired {ago} second(s) ago.")


def rate_limit_group(token: str | None) -> str:
    return PRIVATE_APP_GROUP if token == HUBSPOT_TOKEN else OAUTH_APP_GROUP


_OAUTH_MESSAGES = {
    "BAD_CLIENT_ID": "missing or unknown client_id",
    "BAD_CLIENT_SECRET": "client_secret does not match the client_id",
    "BAD_AUTH_CODE": "missing or unknown auth code",
    "BAD_REDIRECT_URI": "redirect_uri does not match the redirect_uri used to create the "
                        "auth code",
    "BAD_REFRESH_TOKEN": "missing or unknown refresh token",
    "BAD_GRANT_TYPE": "grant_type must be authorization_code or refresh_token",
}


def oauth_error(status: str, *, http_status: int = 400, error: str = "invalid_grant") -> Reply:
    message = _OAUTH_MESSAGES[status]
    return Reply(http_status, {"status": status, "message": message,
                               "correlationId": str(uuid.uuid4()), "error": error,
                               "error_description": message})


def _page(status: int, title: str, text: str) -> Reply:
    body = (f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p>")
    return Reply(status, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


def oauth_authorize(req) -> Reply:
    """The user installs the app at once: 302 to ``redirect_uri`` with ``code`` and ``state``."""
    q = req.query
    if q.get("client_id") != HUBSPOT_CLIENT_ID:
        return _page(400, "Authorization failed", "Unknown client_id: the app does not exist.")
    redirect_uri = q.get("redirect_uri") or ""
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        return _page(400, "Authorization failed", "Invalid redirect_uri.")
    scopes = [s for s in (q.get("scope") or "").replace("+", " ").split() if s]
    if not scopes:
        return _page(400, "Authorization failed", "The scope parameter is required.")
    optional = [s for s in (q.get("optional_scope") or "").replace("+", " ").split() if s]
    store: TokenStore = req.world.tokens
    grant = TokenStore.new_grant("h")
    scopes = list(dict.fromkeys(["oauth", *scopes, *optional]))
    with store.lock:
        store.grant_info[grant] = {"scopes": scopes}
    code = store.new_code(service="hubspot", client_id=HUBSPOT_CLIENT_ID,
                          redirect_uri=redirect_uri, grant=grant)
    params = {"code": code, "state": q.get("state")}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    location = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"
    return Reply(302, None, headers={"Location": location},
                 content_type="text/html; charset=utf-8", raw=b"")


def _token_reply(world: World, grant: str, refresh: str | None = None) -> Reply:
    ttl, now = world.hubspot_token_ttl_s, world.clock.time()
    return Reply(200, {
        "token_type": "bearer",
        "refresh_token": refresh or make_token(HUBSPOT_REFRESH, grant, None, now=now),
        "access_token": make_token(HUBSPOT_ACCESS, grant, ttl, now=now),
        "expires_in": math.ceil(ttl),
    })


def oauth_token(req) -> Reply:
    world: World = req.world
    form = req.form()
    if form.get("client_id") != HUBSPOT_CLIENT_ID:
        return oauth_error("BAD_CLIENT_ID", error="invalid_client")
    if form.get("client_secret") != HUBSPOT_CLIENT_SECRET:
        return oauth_error("BAD_CLIENT_SECRET", error="invalid_client")
    store: TokenStore = world.tokens
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        code = form.get("code") or ""
        info = store.peek_code(code)
        if info is None or info["service"] != "hubspot":
            return oauth_error("BAD_AUTH_CODE")
        if form.get("redirect_uri") != info["redirect_uri"]:
            return oauth_error("BAD_REDIRECT_URI", error="invalid_request")
        if store.take_code(code) is None:
            return oauth_error("BAD_AUTH_CODE")
        return _token_reply(world, info["grant"])
    if grant_type == "refresh_token":
        raw = form.get("refresh_token")
        status, tok = store.check(raw, (HUBSPOT_REFRESH,))
        if status != "ok":
            return oauth_error("BAD_REFRESH_TOKEN")
        return _token_reply(world, tok.grant, refresh=raw)  # HubSpot: no rotation
    return oauth_error("BAD_GRANT_TYPE", error="unsupported_grant_type")


def _token_info(world: World, tok, kind: str) -> dict:
    with world.tokens.lock:
        info = world.tokens.grant_info.get(tok.grant) or {}
    data = {
        "token": tok.raw,
        "user": HUBSPOT_USER,
        "hub_domain": HUBSPOT_HUB_DOMAIN,
        "scopes": list(info.get("scopes") or HUBSPOT_DEFAULT_SCOPES),
        "hub_id": int(HUBSPOT_PORTAL_ID),
        "app_id": int(HUBSPOT_APP_ID),
    }
    if kind == "access":
        data["expires_in"] = tok.remaining_s(world.clock.time())
    else:
        data["client_id"] = HUBSPOT_CLIENT_ID
    data.update({"user_id": 1, "token_type": kind})
    return data


def _token_not_found() -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", "Token not found or revoked")


def access_token_info(req) -> Reply:
    world: World = req.world
    status, tok = world.tokens.check(req.params["token"], (HUBSPOT_ACCESS,))
    if status == "expired":
        raise _expired(world, tok)
    if status != "ok":
        raise _token_not_found()
    return Reply(200, _token_info(world, tok, "access"))


def refresh_token_info(req) -> Reply:
    world: World = req.world
    status, tok = world.tokens.check(req.params["token"], (HUBSPOT_REFRESH,))
    if status != "ok":
        raise _token_not_found()
    return Reply(200, _token_info(world, tok, "refresh"))


def refresh_token_delete(req) -> Reply:
    """Revokes the refresh token and every access token of its grant (uninstalls the app)."""
    world: World = req.world
    tok = parse_token(req.params["token"])
    if tok is None or tok.kind != HUBSPOT_REFRESH:
        raise _token_not_found()
    world.tokens.revoke_grant(tok.grant)
    return Reply(204, None)
