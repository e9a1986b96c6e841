"""Zoom's OAuth server: Server-to-Server (``account_credentials``) and user OAuth
(authorization code with optional PKCE, rotating refresh tokens, revoke), auto-approved; and
the bearer-token check of every ``/v2`` request."""

from __future__ import annotations

import base64
import binascii
import html
import math
from urllib.parse import urlencode, urlsplit

from ..common import Reply, ZoomError, ZoomOAuthError
from ..credentials import (
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    ZOOM_OAUTH_CLIENT_ID,
    ZOOM_OAUTH_CLIENT_SECRET,
    ZOOM_SCOPE,
)
from ..tokens import (
    ZOOM_ACCESS,
    ZOOM_REFRESH,
    ZOOM_REFRESH_TTL_S,
    ZOOM_S2S,
    TokenStore,
    make_token,
    parse_token,
    pkce_matches,
)
from ..world import World


def _basic_auth(req) -> tuple[str | None, str | None]:
    auth = req.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return None, None


def _client_app(req) -> str:
    """"s2s" or "oauth" for the HTTP Basic client, else a 401 like Zoom's."""
    client_id, client_secret = _basic_auth(req)
    if client_id == ZOOM_CLIENT_ID and client_secret == ZOOM_CLIENT_SECRET:
        return "s2s"
    if client_id == ZOOM_OAUTH_CLIENT_ID and client_secret == ZOOM_OAUTH_CLIENT_SECRET:
        return "oauth"
    raise ZoomOAuthError(401, "invalid_client", "Invalid client_id or client_secret")


def api_url(world: World) -> str:
    """Where the API lives, as Zoom's token response says it (``api_url`` + "/v2" = base)."""
    return f"{world.base_url}/zoom"


def _user_tokens(world: World, grant: str) -> dict:
    ttl, now = world.zoom_token_ttl_s, world.clock.time()
    return {
        "access_token": make_token(ZOOM_ACCESS, grant, ttl, now=now),
        "token_type": "bearer",
        "refresh_token": make_token(ZOOM_REFRESH, grant, ZOOM_REFRESH_TTL_S, now=now),
        "expires_in": math.ceil(ttl),
        "scope": ZOOM_SCOPE,
        "api_url": api_url(world),
    }


def oauth_token(req) -> Reply:
    world: World = req.world
    app = _client_app(req)
    params = dict(req.query)
    params.update(req.form())
    grant_type = params.get("grant_type")
    if app == "s2s":
        if grant_type != "account_credentials":
            raise ZoomOAuthError(400, "unsupported_grant_type", "Unsupported grant type")
        if params.get("account_id") != ZOOM_ACCOUNT_ID:
            raise ZoomOAuthError(400, "invalid_request", "Invalid request : Invalid account_id")
        ttl = world.zoom_token_ttl_s
        return Reply(200, {
            "access_token": make_token(ZOOM_S2S, TokenStore.new_grant("s"), ttl,
                                       now=world.clock.time()),
            "token_type": "bearer",
            "expires_in": math.ceil(ttl),
            "scope": ZOOM_SCOPE,
            "api_url": api_url(world),
        })
    store = world.tokens
    if grant_type == "authorization_code":
        code = params.get("code") or ""
        info = store.peek_code(code)
        if info is None or info["service"] != "zoom":
            raise ZoomOAuthError(400, "invalid_grant", "Invalid authorization code")
        if params.get("redirect_uri") != info["redirect_uri"]:
            raise ZoomOAuthError(400, "invalid_request", "Redirect URI mismatch.")
        if info.get("code_challenge") and not pkce_matches(
                info["code_challenge"], info["code_challenge_method"],
                params.get("code_verifier") or ""):
            raise ZoomOAuthError(400, "invalid_request", "Invalid code_verifier.")
        if store.take_code(code) is None:  # used meanwhile by a concurrent request
            raise ZoomOAuthError(400, "invalid_grant", "Invalid authorization code")
        return Reply(200, _user_tokens(world, info["grant"]))
    if grant_type == "refresh_token":
        status, tok = store.check(params.get("refresh_token"), (ZOOM_REFRESH,))
        if status != "ok" or not store.use_refresh(tok):
            raise ZoomOAuthError(400, "invalid_grant", "Invalid Token!")
        return Reply(200, _user_tokens(world, tok.grant))
    raise ZoomOAuthError(400, "unsupported_grant_type", "Unsupported grant type")


def oauth_revoke(req) -> Reply:
    """``POST /oauth/revoke?token=``: the token's whole grant stops working (idempotent)."""
    world: World = req.world
    app = _client_app(req)
    params = dict(req.query)
    params.update(req.form())
    tok = parse_token(params.get("token"))
    kinds = (ZOOM_S2S,) if app == "s2s" else (ZOOM_ACCESS, ZOOM_REFRESH)
    if tok is None or tok.kind not in kinds:
        raise ZoomOAuthError(400, "invalid_request", "Invalid Token!")
    world.tokens.revoke_grant(tok.grant)
    return Reply(200, {"status": "success"})


def _page(status: int, title: str, text: str) -> Reply:
    body = (f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p>")
    return Reply(status, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


def authorize_error(req, error: str, reason: str) -> Reply:
    """A 400 for a bad authorize request: a page for browsers, Zoom's OAuth JSON otherwise."""
    if "text/html" in req.headers.get("accept", ""):
        return _page(400, "Zoom authorization failed", f"{reason} ({error})")
    return Reply(400, {"reason": reason, "error": error})


def redirect_with(redirect_uri: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


def valid_redirect_uri(value: str) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def oauth_authorize(req) -> Reply:
    """The user clicks "Allow" at once: 302 back to ``redirect_uri`` with a single-use code."""
    q = req.query
    if q.get("client_id") != ZOOM_OAUTH_CLIENT_ID:
        return authorize_error(req, "invalid_client", "Invalid client_id.")
    if q.get("response_type") != "code":
        return authorize_error(req, "unsupported_response_type",
                               "Unsupported response_type: use response_type=code.")
    redirect_uri = q.get("redirect_uri") or ""
    if not valid_redirect_uri(redirect_uri):
        return authorize_error(req, "invalid_request", "Invalid redirect_uri.")
    challenge = q.get("code_challenge") or ""
    method = q.get("code_challenge_method") or ("plain" if challenge else "")
    if challenge and method not in ("S256", "plain"):
        return authorize_error(req, "invalid_request", "Invalid code_challenge_method.")
    code = req.world.tokens.new_code(
        service="zoom", client_id=ZOOM_OAUTH_CLIENT_ID, redirect_uri=redirect_uri,
        grant=TokenStore.new_grant("z"), code_challenge=challenge,
        code_challenge_method=method)
    location = redirect_with(redirect_uri, {"code": code, "state": q.get("state")})
    return Reply(302, None, headers={"Location": location},
                 content_type="text/html; charset=utf-8", raw=b"")


def check_auth(req) -> None:
    status, _tok = req.world.tokens.check(req.bearer(), (ZOOM_S2S, ZOOM_ACCESS))
    if status == "expired":
        raise ZoomError(401, 124, "Access token is expired.")
    if status != "ok":
        raise ZoomError(401, 124, "Invalid access token.")
