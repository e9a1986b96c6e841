"""Build API clients from linked accounts (the only place models meet the clients)."""

from django.utils import timezone

from ..errors import NotConfigured
from ..hubspot.client import HubSpotClient
from ..models import HubSpotPortal, ZoomAccount
from ..zoom.client import ZoomClient, ZoomCredentials


class ZoomAccountTokenCache:
    """Keeps a Zoom account's access token in its (encrypted) row, shared by all workers."""

    def __init__(self, account: ZoomAccount):
        self.account = account

    def load(self):
        account = ZoomAccount.objects.only("access_token", "token_expires_at").get(
            pk=self.account.pk
        )
        return account.access_token, account.token_expires_at

    def save(self, token, expires_at):
        self.account.access_token = token
        self.account.token_expires_at = expires_at
        self.account.save(update_fields=["access_token", "token_expires_at"])


def zoom_client_for(*, account: ZoomAccount) -> ZoomClient:
    if not account.client_id or not account.client_secret:
        raise NotConfigured(
            f"Zoom account “{account.name}” has no client id/secret; "
            "enter them in the admin or run `manage.py connect_zoom`."
        )
    return ZoomClient(
        credentials=ZoomCredentials(
            account_id=account.zoom_account_id,
            client_id=account.client_id,
            client_secret=account.client_secret,
        ),
        token_cache=ZoomAccountTokenCache(account),
    )


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
    if not portal.access_token:
        raise NotConfigured(
            f"HubSpot portal “{portal}” has no access token; enter it in the admin "
            "or run `manage.py connect_hubspot`."
        )
    return HubSpotClient(access_token=portal.access_token)


def connection_status_set(*, obj, ok: bool, error: str = "") -> None:
    from ..models import ConnectionStatus

    obj.status = ConnectionStatus.CONNECTED if ok else ConnectionStatus.ERROR
    obj.last_error = error
    obj.last_checked_at = timezone.now()
    obj.save(update_fields=["status", "last_error", "last_checked_at"])
