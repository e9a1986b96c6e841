"""Tokens of linked accounts: fetched or refreshed shortly before they expire, stored
encrypted on the account row, and shared by every worker.

Only one worker refreshes at a time: a per-process lock for threads, and the account row
locked (SELECT … FOR UPDATE; on SQLite the write transaction itself) for processes. Whoever
waited re-reads the row and uses the token the first one stored — which matters for Zoom user
OAuth, where each refresh replaces the refresh token and the old one stops working.
"""

import threading
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import InvalidGrant, NotConfigured, ReconnectNeeded
from ..fields import UnreadableSecret
from ..hubspot.oauth import HubSpotOAuth
from ..models import ConnectionStatus, HubSpotPortal, ZoomAccount
from ..zoom.oauth import ZoomOAuth

ZOOM_MARGIN = timedelta(seconds=60)
HUBSPOT_MARGIN = timedelta(minutes=5)
_process_locks: dict[tuple, threading.Lock] = defaultdict(threading.Lock)
_locks_guard = threading.Lock()


def _lock_for(model, pk) -> threading.Lock:
    with _locks_guard:
        return _process_locks[(model.__name__, pk)]


def _valid(row, margin) -> bool:
    # (not mutated: > or >= differ for one microsecond)
    left = row.token_expires_at - margin if row.token_expires_at else None
    return bool(row.access_token and left and left > timezone.now())  # pragma: no mutate


def _margin(default: timedelta, lifetime: timedelta | None) -> timedelta:
    # Renew a minute (Zoom) or five (HubSpot) early, but never in the last quarter of a
    # token's life when tokens are short-lived.
    if lifetime is None:
        return default
    return min(default, lifetime / 4)


def secrets_readable_require(*, obj, names: tuple[str, ...], label: str) -> None:
    """Refuses to go on with a secret the current FIELD_ENCRYPTION_KEY cannot decrypt, saying
    which one and how to fix it (instead of calling the service without it)."""
    unreadable = [obj._meta.get_field(name).verbose_name for name in names
                  if isinstance(getattr(obj, name), UnreadableSecret)]
    if unreadable:
        raise NotConfigured(
            f"{label}: the stored {' and '.join(unreadable)} cannot be decrypted with "
            "FIELD_ENCRYPTION_KEY (the key was changed without `manage.py rotate_secrets`). "
            "Enter it again in the admin, or list the old key after the new one in "
            "FIELD_ENCRYPTION_KEY."
        )


def mark_reconnect_needed(*, obj, error: str) -> None:
    type(obj).objects.filter(pk=obj.pk).update(
        status=ConnectionStatus.RECONNECT_NEEDED, last_error=error,
        access_token="", token_expires_at=None,
    )
    obj.status, obj.last_error = ConnectionStatus.RECONNECT_NEEDED, error


class _RowTokens:
    """Token source backed by one account row; keeps a copy in memory until near expiry."""

    model = None
    margin = ZOOM_MARGIN

    def __init__(self, obj):
        self.pk = obj.pk
        # The row is read on first use, not taken from `obj`, which may be a stale copy.
        # (any value that is no token would do)
        self._token, self._expires_at = "", None  # pragma: no mutate
        self._lifetime: timedelta | None = None

    def _fresh(self) -> bool:
        # (not mutated: > or >= differ for one microsecond)
        left = self._expires_at - _margin(self.margin, self._lifetime) if self._expires_at \
            else None
        return bool(self._token and left and left > timezone.now())  # pragma: no mutate

    def access_token(self) -> str:
        if self._fresh():
            return self._token
        refused = None
        # (not mutated: one lock for every row of the model would only make others wait)
        with _lock_for(self.model, self.pk), transaction.atomic():  # pragma: no mutate
            row = self.model.objects.select_for_update().get(pk=self.pk)
            # (not mutated: this source's own token is renewed whatever the margin says)
            margin = _margin(self.margin, self._lifetime)  # pragma: no mutate
            if not _valid(row, margin) or row.access_token == self._token:
                try:
                    issued = timezone.now()
                    self._renew(row)
                    if row.token_expires_at:
                        self._lifetime = row.token_expires_at - issued
                except ReconnectNeeded as exc:
                    # recorded inside the transaction, raised after it commits
                    mark_reconnect_needed(obj=row, error=exc.reason)
                    refused = exc
            self._token, self._expires_at = row.access_token, row.token_expires_at
        if refused is not None:
            raise refused
        return self._token

    def invalidate(self, token: str) -> None:
        if token == self._token:
            # (any value that is no token would do)
            self._token, self._expires_at = "", None  # pragma: no mutate
            # A refused token must not be handed to the next worker either: without an
            # expiry it counts as no token at all.
            self.model.objects.filter(pk=self.pk).update(token_expires_at=None)

    def _renew(self, row) -> None:
        raise NotImplementedError


class ZoomAccountTokens(_RowTokens):
    model = ZoomAccount
    margin = ZOOM_MARGIN

    def _renew(self, row: ZoomAccount) -> None:
        # (a Server-to-Server account has no refresh token to be unreadable)
        secrets_readable_require(obj=row, names=("client_secret", "refresh_token"),
                                 label=f"Zoom account “{row.name}”")
        if not row.client_id or not row.client_secret:
            raise NotConfigured(
                f"Zoom account “{row.name}” has no client id/secret; enter them in the admin "
                "or run `manage.py connect_zoom`."
            )
        oauth = ZoomOAuth(client_id=row.client_id, client_secret=row.client_secret)
        if row.auth_type == ZoomAccount.AuthType.SERVER_TO_SERVER:
            tokens = oauth.account_credentials(account_id=row.zoom_account_id)
        else:
            tokens = _refreshed(row, label=f"Zoom account “{row.name}”", service="Zoom",
                                oauth=oauth)
        if tokens.api_url:
            row.api_url = tokens.api_url
        _store(row, tokens, "api_url")


class HubSpotPortalTokens(_RowTokens):
    model = HubSpotPortal
    margin = HUBSPOT_MARGIN

    def __init__(self, obj):
        super().__init__(obj)
        if obj.auth_type == HubSpotPortal.AuthType.PRIVATE_APP:
            # private-app tokens do not expire (not mutated: a day more or less of ten years)
            self._token = obj.access_token
            self._expires_at = timezone.now() + timedelta(days=3650)  # pragma: no mutate

    def _renew(self, row: HubSpotPortal) -> None:
        if row.auth_type == HubSpotPortal.AuthType.PRIVATE_APP:
            return
        secrets_readable_require(obj=row, names=("refresh_token", "client_secret"),
                                 label=f"HubSpot portal “{row}”")
        oauth = HubSpotOAuth(client_id=settings.HUBSPOT_CLIENT_ID,
                             client_secret=row.client_secret)
        _store(row, _refreshed(row, label=f"HubSpot portal “{row}”", service="HubSpot",
                               oauth=oauth))


def _refreshed(row, *, label: str, service: str, oauth):
    """New tokens from the row's refresh token, or ReconnectNeeded when it is refused."""
    if not row.refresh_token:
        reason = "it has no refresh token."
        raise ReconnectNeeded(f"{label} needs to be reconnected: {reason}", reason=reason)
    try:
        return oauth.refresh(refresh_token=row.refresh_token)
    except InvalidGrant as exc:
        reason = f"{service} no longer accepts its refresh token ({exc.message})."
        raise ReconnectNeeded(
            f"{label} needs to be reconnected: {reason}", reason=reason, service=exc.service,
            status=exc.status, code=exc.code, detail=exc.detail) from None


def _store(row, tokens, *extra_fields: str) -> None:
    row.access_token, row.token_expires_at = tokens.access_token, tokens.expires_at
    # a refresh that rotates the refresh token gives the new one; otherwise the old one holds
    row.refresh_token = tokens.refresh_token or row.refresh_token
    row.status, row.last_error = ConnectionStatus.CONNECTED, ""
    # access and refresh token are written together: a rotated refresh token is never lost.
    # (Not mutated: saving every field writes the same values, as the row was just read
    # under lock.)
    fields = ["access_token", "refresh_token", "token_expires_at", "status", "last_error"]
    row.save(update_fields=[*fields, *extra_fields])  # pragma: no mutate
