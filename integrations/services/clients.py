"""Build API clients from linked accounts (the only place models meet the clients)."""

from django.conf import settings
from django.utils import timezone

from ..errors import NotConfigured
from ..hubspot.client import HubSpotClient
from ..models import ConnectionStatus, HubSpotPortal, ZoomAccount
from ..zoom.client import ZoomClient
from .tokens import HubSpotPortalTokens, ZoomAccountTokens, secrets_readable_require


def zoom_client_for(*, account: ZoomAccount) -> ZoomClient:
    if account.status == ConnectionStatus.DEAUTHORIZED:
        raise NotConfigured(
            f"Zoom account “{account.name}” was deauthorized (the app was removed in Zoom); "
            "reconnect it in the admin or run `manage.py connect_zoom`."
        )
    if account.auth_type == ZoomAccount.AuthType.SERVER_TO_SERVER:
        secrets_readable_require(obj=account, names=("client_secret",),
                                 label=f"Zoom account “{account.name}”")
    if account.auth_type == ZoomAccount.AuthType.SERVER_TO_SERVER and not (
        account.client_id and account.client_secret
    ):
        raise NotConfigured(
            f"Zoom account “{account.name}” has no client id/secret; "
            "enter them in the admin or run `manage.py connect_zoom`."
        )
    return ZoomClient(
        tokens=ZoomAccountTokens(account),
        account_key=account.zoom_account_id,
        api_base_url=_zoom_api_base(account),
    )


def _zoom_api_base(account: ZoomAccount) -> str:
    # Zoom may name a regional API host with the token; a configured base URL (the sandbox,
    # a proxy) wins over the real service's default.
    if account.api_url and settings.ZOOM_API_BASE_URL == "https://api.zoom.us/v2":
        return account.api_url
    return settings.ZOOM_API_BASE_URL


def hubspot_portal_for(*, account: ZoomAccount) -> HubSpotPortal:
    portal = account.hubspot_portal
    if portal is None:
        portals = list(HubSpotPortal.objects.all()[:2])
        if len(portals) == 1:
            return portals[0]
        raise NotConfigured(
            "No HubSpot portal is linked"
            + (" to this Zoom account" if portals else "")
            + ": link one in the admin (Linked accounts → HubSpot portals) "
            "or run `manage.py connect_hubspot`."
        )
    return portal


def hubspot_client_for(*, portal: HubSpotPortal) -> HubSpotClient:
    if portal.auth_type == HubSpotPortal.AuthType.PRIVATE_APP:
        secrets_readable_require(obj=portal, names=("access_token",),
                                 label=f"HubSpot portal “{portal}”")
    if not portal.access_token:
        raise NotConfigured(
            f"HubSpot portal “{portal}” has no access token; enter it in the admin "
            "or run `manage.py connect_hubspot`."
        )
    return HubSpotClient(tokens=HubSpotPortalTokens(portal),
                         portal_key=portal.hub_id or str(portal.pk))


def connection_status_set(*, obj, ok: bool, error: str = "") -> None:
    obj.status = ConnectionStatus.CONNECTED if ok else ConnectionStatus.ERROR
    obj.last_error = error
    obj.last_checked_at = timezone.now()
    obj.save(update_fields=["status", "last_error", "last_checked_at"])
