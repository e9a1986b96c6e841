"""POST /webhooks/hubspot/ — HubSpot's batches of events.

The secret is the client secret of the linked portal each event names (`portalId`); every
portal in the batch must be linked and verify the signature. Signature v3 (timestamped) is
checked when present; apps that still sign with v1 (or v2) send X-HubSpot-Signature with
X-HubSpot-Signature-Version. Each event of a batch is stored as its own delivery, deduped
by HubSpot's eventId.
"""

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse

from ..models import HubSpotPortal
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
from .signatures import hubspot_v1_valid, hubspot_v2_valid, hubspot_v3_valid, timestamp_fresh


def signed_uris(request: HttpRequest) -> list[str]:
    """The URIs HubSpot may have signed: the public one from PUBLIC_BASE_URL, the one this
    request was addressed to, and the one a proxy's forwarded headers name. Trying each is
    safe: only the secret can make any of them verify."""
    path = request.get_full_path()
    uris = [settings.PUBLIC_BASE_URL + path, request.build_absolute_uri()]
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    if proto and host:
        uris.append(f"{proto}://{host}{path}")
    return list(dict.fromkeys(uris))


def _v3_valid(request, *, secret: str, body: bytes) -> bool:
    signature = header(request, "x-hubspot-signature-v3")
    timestamp = header(request, "x-hubspot-request-timestamp")
    return any(hubspot_v3_valid(secret=secret, method=request.method, uri=uri, body=body,
                                timestamp=timestamp, signature=signature)
               for uri in signed_uris(request))


def _v1_or_v2_valid(request, *, secret: str, body: bytes, default_version: str = "v1") -> bool:
    signature = header(request, "x-hubspot-signature")
    version = request.headers.get("x-hubspot-signature-version", default_version).lower()
    if version == "v1":
        return hubspot_v1_valid(secret=secret, body=body, signature=signature)
    if version == "v2":
        return any(hubspot_v2_valid(secret=secret, method=request.method, uri=uri, body=body,
                                    signature=signature) for uri in signed_uris(request))
    raise Refused(401, "Unknown X-HubSpot-Signature-Version.")


def _check_v3_timestamp(request) -> None:
    timestamp = header(request, "x-hubspot-request-timestamp")
    try:
        milliseconds = int(timestamp)
    except ValueError:
        raise Refused(401, "X-HubSpot-Request-Timestamp is not a number.") from None
    if not timestamp_fresh(timestamp_s=milliseconds / 1000, max_age_s=settings.WEBHOOK_MAX_AGE_S):
        raise Refused(401, "X-HubSpot-Request-Timestamp is too far from now.")


def _portal_ids(events: list) -> set[str]:
    return {portal_id_of(event.get("portalId")) for event in events}


def hubspot_request_verify(request, *, body: bytes, portal_ids: set[str],
                           default_version: str = "v1") -> None:
    """Refuses (401) a request not signed by the client secret of every portal named: v3
    (with its 5-minute window) when its headers are there, else the older X-HubSpot-Signature
    (`default_version` when the request does not say which: webhooks v1, app calls v2)."""
    v3 = "x-hubspot-signature-v3" in request.headers
    if v3:
        _check_v3_timestamp(request)
    elif "x-hubspot-signature" not in request.headers:
        raise Refused(401, "The request is not signed (no X-HubSpot-Signature-v3).")
    portals = {p.hub_id: p for p in HubSpotPortal.objects.filter(hub_id__in=portal_ids)
               .exclude(client_secret="")}

    def valid(portal) -> bool:
        if v3:
            return _v3_valid(request, secret=portal.client_secret, body=body)
        return _v1_or_v2_valid(request, secret=portal.client_secret, body=body,
                               default_version=default_version)

    if not portal_ids or set(portals) != portal_ids or not all(map(valid, portals.values())):
        raise Refused(401, "The signature does not match a linked HubSpot portal's client "
                           "secret.")


def portal_id_of(value) -> str:
    """A portal id as HubSpot sends it (a number), else a refusal: no secret could verify."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise Refused(401, "The request names no portalId, so no secret can verify it.")
    return str(value)


def _occurred_at(event: dict) -> int | None:
    return epoch_ms(event.get("occurredAt"))


@webhook_view
def hubspot_webhook(request):
    body = body_read(request)
    events = json_read(body)
    if not isinstance(events, list) or not events or \
            not all(isinstance(event, dict) for event in events):
        raise Refused(400, "The body is not a JSON array of events.")
    hubspot_request_verify(request, body=body, portal_ids=_portal_ids(events))
    headers, ip = headers_kept(request), remote_ip(request)
    # In event order, so the queue starts with the oldest.
    events = sorted(events, key=lambda event: _occurred_at(event) or 0)
    with transaction.atomic():
        for event in events:
            text = json.dumps(event, separators=(",", ":"), sort_keys=True)
            event_id = event.get("eventId")
            key = event_id if isinstance(event_id, int | str) and not isinstance(
                event_id, bool) else hashlib.sha256(text.encode()).hexdigest()
            kind = event.get("subscriptionType")
            webhook_delivery_store(
                provider="hubspot", event_type=kind if isinstance(kind, str) else "",
                account_key=str(event["portalId"]), dedupe_key=f"hubspot:{event['portalId']}:{key}",
                event_ts=_occurred_at(event), headers=headers, body=text, remote_ip=ip,
            )
    return JsonResponse({"status": "received", "events": len(events)})
