"""Finding the webinars of a linked Zoom account."""

from integrations.models import SyncSettings, ZoomAccount
from integrations.services.clients import zoom_client_for

from ..models import Webinar
from .mirror import webinar_sync_from_zoom


def webinars_discover(*, account: ZoomAccount) -> list[Webinar]:
    """Mirrors every unexpired webinar of every user (host) of the account."""
    client = zoom_client_for(account=account)
    excluded_hosts = SyncSettings.get_solo().excluded_hosts
    webinars = []
    for user in client.iter_users():
        if (user.get("email") or "").lower() in excluded_hosts:
            continue
        for item in client.iter_user_webinars(user["id"]):
            item.setdefault("host_email", user.get("email", ""))
            webinars.append(webinar_sync_from_zoom(account=account, data=item))
    return webinars
