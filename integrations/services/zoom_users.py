"""The users of a linked Zoom account: our own people, never leads.

Zoom's participant report does not say whether someone who joined a webinar belongs to the
host's account; it names a signed-in participant by Zoom user id and gives an address. So the
account's users are remembered each time Zoom lists them (discovery does, every few minutes),
and a sync lists them itself when they were never listed or not for a day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..batching import chunks
from ..models import ZoomAccount, ZoomUser

QUERY_CHUNK = 2000

# A user added since is unknown until the next listing: a colleague who joins a webinar on
# their first day may become a lead, so the list must not be much older than a day.
USERS_FRESH_FOR = timedelta(hours=24)


def _email(value) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


@dataclass(frozen=True)
class AccountUsers:
    """Who is one of the account's users: their Zoom user ids and lower-cased addresses."""

    ids: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    def includes(self, *, user_id: str = "", email: str = "") -> bool:
        return bool(user_id and user_id in self.ids) or bool(
            email and _email(email) in self.emails)


NO_USERS = AccountUsers()


def zoom_users_store(*, account: ZoomAccount, users: Iterable[dict]) -> AccountUsers:
    """Remembers a complete listing of the account's users (Zoom's user objects) in place of
    the previous one."""
    by_email: dict[str, str] = {}
    for user in users:
        email = _email(user.get("email"))
        if email:
            by_email[email] = str(user.get("id") or "")
    with transaction.atomic():
        gone = [pk for pk, email in account.users.values_list("pk", "email")
                if email not in by_email]
        for chunk in chunks(gone, QUERY_CHUNK):
            ZoomUser.objects.filter(pk__in=chunk).delete()
        # a listing stored by another worker meanwhile holds the same people
        ZoomUser.objects.bulk_create(
            [ZoomUser(account=account, zoom_user_id=uid, email=email)
             for email, uid in by_email.items()],
            update_conflicts=True, unique_fields=["account", "email"],
            update_fields=["zoom_user_id"], batch_size=QUERY_CHUNK)
        account.users_listed_at = timezone.now()
        ZoomAccount.objects.filter(pk=account.pk).update(users_listed_at=account.users_listed_at)
    return AccountUsers(ids=frozenset(filter(None, by_email.values())),
                        emails=frozenset(by_email))


def zoom_users_list(*, account: ZoomAccount, client) -> list[dict]:
    """Lists the account's users from Zoom (one call per 2,000) and remembers them."""
    users = list(client.iter_users())
    zoom_users_store(account=account, users=users)
    return users


def zoom_users_known(*, account: ZoomAccount, client) -> AccountUsers:
    """The account's users, listed from Zoom first when that was never done or is over a day
    old (by this process or any other)."""
    listed_at = ZoomAccount.objects.filter(pk=account.pk).values_list(
        "users_listed_at", flat=True).first()
    if listed_at is None or timezone.now() - listed_at > USERS_FRESH_FOR:
        return zoom_users_store(account=account, users=client.iter_users())
    return zoom_users_mirrored(account=account)


def zoom_users_mirrored(*, account: ZoomAccount) -> AccountUsers:
    """The account's users as last listed, without asking Zoom (a webhook's handler has no
    time for a listing; the next sync refreshes it)."""
    ids, emails = set(), set()
    for user_id, email in account.users.values_list("zoom_user_id", "email"):
        emails.add(email)
        if user_id:
            ids.add(user_id)
    return AccountUsers(ids=frozenset(ids), emails=frozenset(emails))
