from django.utils.functional import SimpleLazyObject

from ..services.oauth import reconnect_notices_list

# Who may act on a reconnect notice: the banner, and its error text, is for them only.
CAN_RECONNECT = {"zoom": "integrations.change_zoomaccount",
                 "hubspot": "integrations.change_hubspotportal"}


def reconnect_notices(request):
    """`reconnect_notices` for the admin banner; queried only when a template shows it."""

    def load():
        user = getattr(request, "user", None)
        if user is None or not user.is_active or not user.is_staff:
            return []
        kinds = {kind for kind, perm in CAN_RECONNECT.items() if user.has_perm(perm)}
        return reconnect_notices_list(kinds=kinds) if kinds else []

    return {"reconnect_notices": SimpleLazyObject(load)}
