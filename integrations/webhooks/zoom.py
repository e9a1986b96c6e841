"""POST /webhooks/zoom/ — one URL for every linked Zoom account.

The account is found by `payload.account_id`, and its own webhook secret must verify
`x-zm-signature` over the raw body. Zoom's URL validation (and any call without an account
id) carries no account, so the account is the one whose secret verifies it. Refused calls
are answered 401 and not stored.
"""

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse

from ..models import WebhookDelivery, ZoomAccount
from ..services.webhooks import webhook_delivery_store
from .requests import (
    Refused,
    body_read,
    epoch_ms,
    header,
    headers_kept,
    json_read,
    remote_ip,
    webhook_view,
)
from .signatures import timestamp_fresh, zoom_signature_valid, zoom_url_validation_token

URL_VALIDATION = "endpoint.url_validation"


def _timestamp(request) -> str:
    timestamp = header(request, "x-zm-request-timestamp")
    try:
        seconds = int(timestamp)
    except ValueError:
        raise Refused(401, "x-zm-request-timestamp is not a number of seconds.") from None
    if not timestamp_fresh(timestamp_s=seconds, max_age_s=settings.WEBHOOK_MAX_AGE_S):
        raise Refused(401, "x-zm-request-timestamp is too far from now.")
    return timestamp


# Each web process keeps the accounts' webhook secrets for a few seconds: Zoom sends bursts
# of events and the lookup was a third of the answer's time. A signature the kept secrets do
# not verify is checked again against the database at once, so a new secret works at once.
SECRETS_KEPT_S = 30
_kept: dict = {"at": float("-inf"), "accounts": ()}


def webhook_secrets_forget(**_signal_kwargs) -> None:
    """Drops the kept secrets (an account was saved or deleted in this process)."""
    _kept["at"] = float("-inf")


def _accounts(*, fresh: bool) -> tuple[tuple[str, str], ...]:
    if fresh or time.monotonic() - _kept["at"] > SECRETS_KEPT_S:
        # only what the check needs: every secret column loaded is one more decryption
        _kept["accounts"] = tuple(
            (account.zoom_account_id, account.webhook_secret) for account in
            ZoomAccount.objects.exclude(webhook_secret="").only("zoom_account_id",
                                                               "webhook_secret"))
        _kept["at"] = time.monotonic()
    return _kept["accounts"]


def _signing_account_id(*, account_id, timestamp: str, body: bytes, signature: str) -> str:
    """The Zoom account id whose webhook secret signed the call (named by the payload's
    account_id, when there is one)."""
    for fresh in (False, True):
        for zoom_account_id, secret in _accounts(fresh=fresh):
            if account_id and zoom_account_id != str(account_id):
                continue
            if zoom_signature_valid(secret=secret, timestamp=timestamp, body=body,
                                    signature=signature):
                return zoom_account_id
    raise Refused(401, "The signature does not match a linked Zoom account's webhook secret.")


def _event_ts(data: dict) -> int | None:
    """Milliseconds; app_deauthorized gives its time as text inside the payload instead."""
    if (value := epoch_ms(data.get("event_ts"))) is not None:
        return value
    inner = data.get("payload")
    text = inner.get("event_ts") if isinstance(inner, dict) else None
    if isinstance(text, str):
        try:
            moment = datetime.fromisoformat(text)
            return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)
        except (ValueError, OverflowError):
            return None
    return None


@webhook_view
def zoom_webhook(request):
    body = body_read(request)
    timestamp = _timestamp(request)
    signature = header(request, "x-zm-signature")
    data = json_read(body)
    if not isinstance(data, dict):
        raise Refused(400, "The body is not a JSON object.")
    payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
    account_id = _signing_account_id(account_id=payload.get("account_id"), timestamp=timestamp,
                                     body=body, signature=signature)
    event = data.get("event") if isinstance(data.get("event"), str) else ""
    stored = {
        "provider": "zoom", "event_type": event, "account_key": account_id,
        "dedupe_key": f"zoom:{account_id}:{hashlib.sha256(body).hexdigest()}",
        "event_ts": _event_ts(data), "headers": headers_kept(request),
        "body": body.decode(errors="replace"), "remote_ip": remote_ip(request),
    }
    if event == URL_VALIDATION:
        plain_token = payload.get("plainToken")
        if not isinstance(plain_token, str) or not plain_token:
            raise Refused(400, "The URL validation carries no plainToken.")
        webhook_delivery_store(**stored, status=WebhookDelivery.Status.PROCESSED,
                               note="Answered Zoom's URL validation.")
        secret = dict(_accounts(fresh=False))[account_id]
        return JsonResponse({"plainToken": plain_token, "encryptedToken":
                             zoom_url_validation_token(secret=secret,
                                                       plain_token=plain_token)})
    with transaction.atomic():
        webhook_delivery_store(**stored)
    return JsonResponse({"status": "received"})
