"""Linking Zoom accounts and HubSpot portals, and checking that they work."""

from django.db import IntegrityError, transaction

from ..errors import IntegrationError
from ..hubspot.client import HubSpotClient
from ..models import ConnectionStatus, HubSpotPortal, ZoomAccount
from ..tokens import StaticToken
from ..zoom.client import ZoomClient
from ..zoom.oauth import ZoomOAuth
from .clients import connection_status_set, hubspot_client_for, zoom_client_for


def zoom_account_lock(*, zoom_account_id: str, name: str) -> tuple[ZoomAccount, bool]:
    """The account's row, locked until the caller's transaction ends, and whether it was just
    created. Two connections of the same new account at once both end on one row: the
    second insert fails on the unique account id, and that caller waits for the first one's
    row and updates it instead."""
    return ZoomAccount.objects.select_for_update().get_or_create(
        zoom_account_id=zoom_account_id, defaults={"name": name})


# What a person types when adding an account in the admin (secrets only when typed).
ADMIN_FIELDS = ("name", "auth_type", "client_id", "hubspot_portal")
ADMIN_SECRETS = ("client_secret", "webhook_secret")


def zoom_account_add(*, account: ZoomAccount) -> bool:
    """Saves an account added in the admin. When someone linked the same Zoom account after
    the form was checked, what was typed here goes onto that row (as connecting an account
    again does) instead of failing: returns False then, and `account` is that row."""
    try:
        with transaction.atomic():
            account.save()
        return True
    except IntegrityError:
        with transaction.atomic():
            existing = ZoomAccount.objects.select_for_update().filter(
                zoom_account_id=account.zoom_account_id).first()
            if existing is None:
                raise
            for field in ADMIN_FIELDS:
                setattr(existing, field, getattr(account, field))
            for field in ADMIN_SECRETS:
                if getattr(account, field):
                    setattr(existing, field, getattr(account, field))
            existing.save()
    account.pk, account.created_at = existing.pk, existing.created_at
    return False


def zoom_account_connect_s2s(
    *, account_id: str, client_id: str, client_secret: str, webhook_secret: str = "",
    name: str = "", hubspot_portal: HubSpotPortal | None = None,
) -> ZoomAccount:
    """Verifies Server-to-Server credentials with one call, then saves them (never before)."""
    oauth = ZoomOAuth(client_id=client_id, client_secret=client_secret)
    tokens = oauth.account_credentials(account_id=account_id)  # typed error if refused
    client = ZoomClient(tokens=StaticToken(tokens.access_token), account_key=account_id)
    users = client.check().get("users") or []
    with transaction.atomic():
        account, _ = zoom_account_lock(
            zoom_account_id=account_id,
            name=name or (users[0].get("email", account_id) if users else account_id))
        account.auth_type = ZoomAccount.AuthType.SERVER_TO_SERVER
        account.client_id = client_id
        account.client_secret = client_secret
        if webhook_secret:
            account.webhook_secret = webhook_secret
        if name:
            account.name = name
        if hubspot_portal is not None:
            account.hubspot_portal = hubspot_portal
        elif account.hubspot_portal is None:
            account.hubspot_portal = HubSpotPortal.objects.order_by("pk").first()
        account.access_token, account.token_expires_at = tokens.access_token, tokens.expires_at
        account.status, account.last_error = "connected", ""
        account.save()
    return account


def hubspot_portal_connect_private_app(
    *, token: str, portal_id: str = "", app_id: str = "", client_secret: str = "",
    name: str = "",
) -> HubSpotPortal:
    """Verifies a private-app token with one call, then saves it and links Zoom accounts."""
    HubSpotClient(access_token=token).check()
    with transaction.atomic():
        portal = None
        if portal_id:
            portal = HubSpotPortal.objects.filter(hub_id=portal_id).first()
        if portal is None:
            portal = HubSpotPortal.objects.filter(hub_id="").first() or HubSpotPortal()
        portal.name = name or portal.name or "HubSpot"
        portal.hub_id = portal_id or portal.hub_id
        portal.auth_type = HubSpotPortal.AuthType.PRIVATE_APP
        portal.access_token = token
        if app_id:
            portal.app_id = app_id
        if client_secret:
            portal.client_secret = client_secret
        portal.status, portal.last_error = "connected", ""
        portal.save()
        ZoomAccount.objects.filter(hubspot_portal__isnull=True).update(hubspot_portal=portal)
    return portal


def _connection_test(obj, check) -> str:
    """Runs one cheap call; records the outcome on the account and returns what it found."""
    try:
        found = check()
    except IntegrationError as exc:
        connection_status_set(obj=obj, ok=False, error=exc.message)
        raise
    connection_status_set(obj=obj, ok=True)
    return f"Connected: {found}."


def zoom_account_test(*, account: ZoomAccount) -> str:
    def check():
        users = zoom_client_for(account=account).check()
        return f"{users.get('total_records', 0)} user(s) visible"

    return _connection_test(account, check)


def hubspot_portal_test(*, portal: HubSpotPortal) -> str:
    def check():
        groups = hubspot_client_for(portal=portal).list_property_groups()
        return f"{len(groups)} contact property group(s) readable"

    return _connection_test(portal, check)


def zoom_account_deauthorize(*, account: ZoomAccount, at: str = "") -> None:
    """Zoom says the app was removed from the account: its tokens are deleted and nothing is
    asked of Zoom for it any more, until someone connects it again. What was mirrored stays."""
    when = f" on {at}" if at else ""
    ZoomAccount.objects.filter(pk=account.pk).update(
        access_token="", refresh_token="", token_expires_at=None,
        status=ConnectionStatus.DEAUTHORIZED,
        last_error=f"The app was removed from this Zoom account{when}: reconnect the account "
                   "to sync its webinars again.")
    account.refresh_from_db()
