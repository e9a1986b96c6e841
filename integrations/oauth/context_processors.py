from django.utils.functional import SimpleLazyObject

from ..services.oauth import reconnect_notices_list


def reconnect_notices(request):
    """`reconnect_notices` for the admin banner; queried only when a template shows it."""

    def load():
        user = getattr(request, "user", None)
        if user is None or not user.is_active or not user.is_staff:
            return []
        return reconnect_notices_list()

    return {"reconnect_notices": SimpleLazyObject(load)}
