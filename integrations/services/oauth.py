"""Linking Zoom accounts and HubSpot portals through OAuth ("Connect … (OAuth)" in the admin).

The flow: the admin user presses the button; we redirect to the service's consent page with a
signed, single-use `state`; the service sends the browser back to our callback with a code; we
check the state, swap the code for tokens, learn whose account it is and save it.

Messages raised here are shown to the person in the admin: they say what happened and what to
do, and never contain a code, token or secret.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.urls import reverse
from django.utils import timezone

from ..errors import (
    AuthenticationFailed,
    IntegrationError,
    InvalidGrant,
    NotConfigured,
    OAuthFlowError,
    RateLimited,
    ServiceUnreachable,
    TransientError,
)
from ..hubspot.oauth import HubSpotOAuth
from ..models import ConnectionStatus, HubSpotPortal, UsedOAuthState, ZoomAccount
from ..tokens import StaticToken
from ..zoom.client import ZoomClient
from ..zoom.oauth import ZoomOAuth
from .accounts import zoom_account_lock

# A state is accepted for this long after the button was pressed, and only once.
STATE_MAX_AGE_S = 600
# The person is waiting on a redirect: a couple of retries, not a long backoff.
OAUTH_MAX_RETRIES = 2

PROVIDERS = {
    "zoom": {
        "label": "Zoom",
        "settings": ("ZOOM_OAUTH_CLIENT_ID", "ZOOM_OAUTH_CLIENT_SECRET"),
        "button": "Connect a Zoom account (OAuth)",
        "changelist": "admin:integrations_zoomaccount_changelist",
    },
    "hubspot": {
        "label": "HubSpot",
        "settings": ("HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"),
        "button": "Connect HubSpot (OAuth)",
        "changelist": "admin:integrations_hubspotportal_changelist",
    },
}


def _said(exc: IntegrationError, *hidden: str) -> str:
    """What the service answered, for a person, with any echoed secret taken out."""
    return _scrub(exc.said(), *hidden)


def _scrub(message: str, *values: str) -> str:
    """Belt and braces: a service could echo a code or token back in an error body."""
    for value in values:
        if value and len(value) >= 6:
            message = message.replace(value, "[redacted]")
    return message


# --- configuration -------------------------------------------------------------------------


def oauth_settings_missing(*, provider: str) -> list[str]:
    """Names of the settings the provider's OAuth app still needs (empty when ready)."""
    return [name for name in PROVIDERS[provider]["settings"]
            if not getattr(settings, name, "")]


def oauth_settings_explain(*, provider: str) -> str:
    missing = oauth_settings_missing(provider=provider)
    if not missing:
        return ""
    label = PROVIDERS[provider]["label"]
    return (
        f"{label} OAuth is not set up on this installation: set {' and '.join(missing)} "
        f"(from your {label} app) in the environment or the .env file and restart. Register "
        f"this redirect URL in the app: {oauth_redirect_uri(provider=provider)}"
    )


def oauth_redirect_uri(*, provider: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse(f'oauth:{provider}-callback')}"


def _require_settings(provider: str) -> None:
    explanation = oauth_settings_explain(provider=provider)
    if explanation:
        raise NotConfigured(explanation)


# --- state: signed, bound to the user, expiring, single-use ---------------------------------


def _state_salt(provider: str) -> str:
    return f"integrations.oauth.state.{provider}"


def oauth_state_create(*, provider: str, user_id: int) -> str:
    payload = {"p": provider, "u": user_id, "n": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=_state_salt(provider))


def oauth_state_consume(*, provider: str, state: str, user_id: int) -> None:
    """Accepts a state once; raises OAuthFlowError when it is bad, expired, foreign or reused."""
    label = PROVIDERS[provider]["label"]
    again = f"Nothing was changed; press “{PROVIDERS[provider]['button']}” to start again."
    if not state:
        raise OAuthFlowError(f"{label} came back without the sign-in state. {again}")
    try:
        payload = signing.loads(state, salt=_state_salt(provider), max_age=STATE_MAX_AGE_S)
    except signing.SignatureExpired:
        raise OAuthFlowError(
            f"The {label} sign-in took longer than {STATE_MAX_AGE_S // 60} minutes and "
            f"expired. {again}"
        ) from None
    except signing.BadSignature:
        raise OAuthFlowError(
            f"The {label} sign-in link is not valid (it was altered, or was not started on "
            f"this installation). {again}"
        ) from None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not nonce or payload.get("p") != provider:
        raise OAuthFlowError(f"The {label} sign-in link is not valid. {again}")
    if str(payload.get("u")) != str(user_id):
        raise OAuthFlowError(
            f"This {label} sign-in was started by another admin user; each person has to "
            f"start their own. {again}"
        )
    UsedOAuthState.objects.filter(
        used_at__lt=timezone.now() - timedelta(seconds=STATE_MAX_AGE_S + 60)
    ).delete()
    try:
        with transaction.atomic():
            UsedOAuthState.objects.create(nonce=nonce)
    except IntegrityError:
        raise OAuthFlowError(
            f"This {label} sign-in link has already been used (each one works once; the page "
            f"may have been reloaded). {again}"
        ) from None


def _check_callback(*, provider: str, user_id: int, state: str, code: str, error: str) -> None:
    label = PROVIDERS[provider]["label"]
    if error:
        try:  # a denial still uses up its state, so the link cannot be replayed
            oauth_state_consume(provider=provider, state=state, user_id=user_id)
        except OAuthFlowError:
            pass
        reason = "".join(ch for ch in error if ch.isalnum() or ch in "_-.")[:60]
        if reason == "access_denied":
            detail = f"access was not granted on {label}'s consent page"
        else:
            detail = f"{label} answered “{reason}”"
        raise OAuthFlowError(
            f"{label} was not connected: {detail}. Nothing was changed; press "
            f"“{PROVIDERS[provider]['button']}” to try again."
        )
    oauth_state_consume(provider=provider, state=state, user_id=user_id)
    _require_settings(provider)
    if not code:
        raise OAuthFlowError(
            f"{label} came back without an authorization code. Nothing was changed; press "
            f"“{PROVIDERS[provider]['button']}” to try again."
        )


def _exchange_error(provider: str, exc: IntegrationError, *values: str) -> OAuthFlowError:
    label = PROVIDERS[provider]["label"]
    said = _said(exc, *values)
    detail = said.removesuffix(".")
    if isinstance(exc, InvalidGrant):
        return OAuthFlowError(
            f"{label} did not accept the authorization code (it may have expired or been used "
            f"already): {detail}. Nothing was changed; press "
            f"“{PROVIDERS[provider]['button']}” to try again."
        )
    if isinstance(exc, AuthenticationFailed):
        names = " and ".join(PROVIDERS[provider]["settings"])
        return OAuthFlowError(
            f"{label} refused this installation's OAuth app credentials: {detail}. Check "
            f"{names}, and that the app's redirect URL is "
            f"{oauth_redirect_uri(provider=provider)}"
        )
    if isinstance(exc, ServiceUnreachable | TransientError | RateLimited):
        return OAuthFlowError(
            f"{label} could not be reached to finish connecting: {said} Nothing was "
            "changed; try again in a moment."
        )
    return OAuthFlowError(f"{label} was not connected: {detail}.")


# --- Zoom ----------------------------------------------------------------------------------


def _zoom_oauth(*, client_id: str, client_secret: str) -> ZoomOAuth:
    return ZoomOAuth(client_id=client_id, client_secret=client_secret,
                     base_url=settings.ZOOM_OAUTH_BASE_URL, max_retries=OAUTH_MAX_RETRIES)


def zoom_oauth_authorize_url(*, user_id: int) -> str:
    """Where to send the browser to sign in to Zoom; raises NotConfigured without an app."""
    _require_settings("zoom")
    oauth = _zoom_oauth(client_id=settings.ZOOM_OAUTH_CLIENT_ID,
                        client_secret=settings.ZOOM_OAUTH_CLIENT_SECRET)
    return oauth.authorize_url(redirect_uri=oauth_redirect_uri(provider="zoom"),
                               state=oauth_state_create(provider="zoom", user_id=user_id))


def zoom_account_connect_oauth(
    *, user_id: int, state: str, code: str, error: str = ""
) -> tuple[ZoomAccount, bool]:
    """Finishes the Zoom sign-in: returns the linked account and whether it is new."""
    _check_callback(provider="zoom", user_id=user_id, state=state, code=code, error=error)
    client_id = settings.ZOOM_OAUTH_CLIENT_ID
    client_secret = settings.ZOOM_OAUTH_CLIENT_SECRET
    try:
        tokens = _zoom_oauth(client_id=client_id, client_secret=client_secret) \
            .authorization_code(code=code, redirect_uri=oauth_redirect_uri(provider="zoom"))
    except IntegrationError as exc:
        raise _exchange_error("zoom", exc, code, client_secret) from None
    hidden = (code, client_secret, tokens.access_token, tokens.refresh_token)
    api_url = tokens.api_url or settings.ZOOM_API_BASE_URL
    try:
        me = ZoomClient(tokens=StaticToken(tokens.access_token), api_base_url=api_url,
                        max_retries=OAUTH_MAX_RETRIES).get_user("me")
    except IntegrationError as exc:
        raise OAuthFlowError(
            "Zoom signed you in, but reading the signed-in user failed: "
            f"{_said(exc, *hidden)} Nothing was saved; try again, and "
            "check that the app may read the user (user:read scope)."
        ) from None
    zoom_account_id = str(me.get("account_id") or "")
    if not zoom_account_id:
        raise OAuthFlowError("Zoom did not say which account the signed-in user belongs to; "
                             "nothing was saved.")
    person = " ".join(filter(None, [me.get("first_name"), me.get("last_name")])) \
        or me.get("display_name") or ""
    email = me.get("email") or ""
    default_name = f"{person} ({email})" if person and email else (person or email
                                                                   or zoom_account_id)
    with transaction.atomic():
        account, created = zoom_account_lock(zoom_account_id=zoom_account_id,
                                             name=default_name)
        account.auth_type = ZoomAccount.AuthType.OAUTH
        account.client_id = client_id
        account.client_secret = client_secret
        account.access_token = tokens.access_token
        account.refresh_token = tokens.refresh_token
        account.token_expires_at = tokens.expires_at
        account.api_url = tokens.api_url
        account.status, account.last_error = ConnectionStatus.CONNECTED, ""
        account.last_checked_at = timezone.now()
        if account.hubspot_portal_id is None:
            portals = list(HubSpotPortal.objects.order_by("pk")[:2])
            if len(portals) == 1:
                account.hubspot_portal = portals[0]
        account.save()
    return account, created


def zoom_account_disconnect(*, account: ZoomAccount) -> str:
    """Revokes a user-OAuth account's tokens at Zoom, forgets them, marks it deauthorized."""
    if account.auth_type != ZoomAccount.AuthType.OAUTH:
        raise OAuthFlowError(
            f"“{account}” is linked with Server-to-Server credentials, not user OAuth: there is "
            "nothing to revoke here. Remove the app in the Zoom App Marketplace instead."
        )
    token = account.refresh_token or account.access_token
    outcome = "Zoom access was revoked."
    if token and account.client_id and account.client_secret:
        try:
            _zoom_oauth(client_id=account.client_id, client_secret=account.client_secret) \
                .revoke(token=token)
        except (ServiceUnreachable, TransientError, RateLimited) as exc:
            raise OAuthFlowError(
                f"Could not disconnect “{account}”: {_said(exc, token)}"
                " Nothing was changed; try again in a moment."
            ) from None
        except IntegrationError as exc:
            # The token is already dead (or the app was removed): forget it all the same.
            said = _said(exc, token).removesuffix(".")
            outcome = (f"Zoom did not confirm the revocation ({said}); its tokens were deleted "
                       "here anyway.")
    elif token:
        outcome = "it had no app credentials to revoke with; its tokens were deleted here."
    else:
        outcome = "it had no tokens left."
    with transaction.atomic():
        account = ZoomAccount.objects.select_for_update().get(pk=account.pk)
        account.access_token = account.refresh_token = ""
        account.token_expires_at = None
        account.status = ConnectionStatus.DEAUTHORIZED
        account.last_error = "Disconnected in the admin."
        account.last_checked_at = timezone.now()
        account.save()
    return f"Disconnected “{account}”: {outcome}"


# --- HubSpot -------------------------------------------------------------------------------


def _hubspot_oauth() -> HubSpotOAuth:
    return HubSpotOAuth(client_id=settings.HUBSPOT_CLIENT_ID,
                        client_secret=settings.HUBSPOT_CLIENT_SECRET,
                        base_url=settings.HUBSPOT_API_BASE_URL, max_retries=OAUTH_MAX_RETRIES)


def hubspot_oauth_authorize_url(*, user_id: int) -> str:
    _require_settings("hubspot")
    return _hubspot_oauth().authorize_url(
        redirect_uri=oauth_redirect_uri(provider="hubspot"),
        state=oauth_state_create(provider="hubspot", user_id=user_id),
        scopes=" ".join(settings.HUBSPOT_OAUTH_SCOPES.split()),
    )


def hubspot_portal_connect_oauth(
    *, user_id: int, state: str, code: str, error: str = ""
) -> tuple[HubSpotPortal, bool]:
    """Finishes the HubSpot sign-in: returns the linked portal and whether it is new."""
    _check_callback(provider="hubspot", user_id=user_id, state=state, code=code, error=error)
    client_secret = settings.HUBSPOT_CLIENT_SECRET
    oauth = _hubspot_oauth()
    try:
        tokens = oauth.authorization_code(code=code,
                                          redirect_uri=oauth_redirect_uri(provider="hubspot"))
    except IntegrationError as exc:
        raise _exchange_error("hubspot", exc, code, client_secret) from None
    hidden = (code, client_secret, tokens.access_token, tokens.refresh_token)
    try:
        info = oauth.token_info(access_token=tokens.access_token)
    except IntegrationError as exc:
        raise OAuthFlowError(
            "HubSpot signed you in, but reading the portal's id failed: "
            f"{_said(exc, *hidden)} Nothing was saved; try again."
        ) from None
    hub_id = str(info.get("hub_id") or "")
    if not hub_id:
        raise OAuthFlowError("HubSpot did not say which portal was connected; nothing was saved.")
    with transaction.atomic():
        portal = (HubSpotPortal.objects.select_for_update().filter(hub_id=hub_id).first()
                  or HubSpotPortal.objects.select_for_update().filter(hub_id="").first())
        created = portal is None
        if created:
            portal = HubSpotPortal(name=info.get("hub_domain") or "HubSpot")
        portal.hub_id = hub_id
        portal.auth_type = HubSpotPortal.AuthType.OAUTH
        portal.access_token = tokens.access_token
        portal.refresh_token = tokens.refresh_token
        portal.token_expires_at = tokens.expires_at
        if info.get("app_id"):
            portal.app_id = str(info["app_id"])
        portal.client_secret = client_secret
        portal.status, portal.last_error = ConnectionStatus.CONNECTED, ""
        portal.last_checked_at = timezone.now()
        portal.save()
        ZoomAccount.objects.filter(hubspot_portal__isnull=True).update(hubspot_portal=portal)
    return portal, created


# --- the reconnect banner ------------------------------------------------------------------

NEEDS_RECONNECT = (ConnectionStatus.RECONNECT_NEEDED, ConnectionStatus.DEAUTHORIZED)


def reconnect_notices_list(*, kinds=("zoom", "hubspot"), limit: int = 10) -> list[dict]:
    """Accounts ("zoom") and portals ("hubspot") that need a person to connect them again
    (one query)."""
    columns = ("kind", "pk", "name", "auth_type", "last_error")
    queries = []
    if "zoom" in kinds:
        queries.append(ZoomAccount.objects.filter(status__in=NEEDS_RECONNECT).annotate(
            kind=Value("zoom", output_field=CharField())).values_list(*columns))
    if "hubspot" in kinds:
        queries.append(HubSpotPortal.objects.filter(status__in=NEEDS_RECONNECT).annotate(
            kind=Value("hubspot", output_field=CharField())).values_list(*columns))
    if not queries:
        return []
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    notices = []
    for kind, pk, name, auth_type, last_error in rows[:limit]:
        row = dict(zip(columns, (kind, pk, name, auth_type, last_error), strict=True))
        if kind == "zoom":
            row["label"] = f"Zoom account “{name}”"
            oauth = auth_type == ZoomAccount.AuthType.OAUTH
            row["url"] = (reverse("oauth:zoom-connect") if oauth else
                          reverse("admin:integrations_zoomaccount_change", args=[pk]))
        else:
            row["label"] = f"HubSpot portal “{name}”"
            oauth = auth_type == HubSpotPortal.AuthType.OAUTH
            row["url"] = (reverse("oauth:hubspot-connect") if oauth else
                          reverse("admin:integrations_hubspotportal_change", args=[pk]))
        # last_error holds the why alone (ReconnectNeeded.reason, or a disconnect's note)
        row["error"] = last_error or "its access was withdrawn"
        notices.append(row)
    return notices
