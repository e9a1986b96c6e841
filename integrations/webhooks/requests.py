"""What both endpoints do with an incoming call before its signature is checked: refuse it
with a clear 4xx (never a 5xx: Zoom would retry it for an hour), read the raw body within
the size limit, and keep the headers worth logging."""

import functools
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__)

# Never stored with a delivery: whatever could let someone act as the caller.
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def webhook_view(view):
    """POST only, no CSRF token (the signature stands for it), and no transaction around the
    view: the delivery is committed before its processing is queued."""

    @csrf_exempt
    @require_POST
    @transaction.non_atomic_requests
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            # The reason only: never the signature, the secret or the body.
            logger.warning("Webhook refused (%s %s) from %s: %s", request.path, refused.status,
                           request.META.get("REMOTE_ADDR"), refused.message)
            return JsonResponse({"error": refused.message}, status=refused.status)

    return wrapped


def body_read(request: HttpRequest) -> bytes:
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "Content-Length is not a number.") from None
    if declared > limit:
        raise Refused(413, f"The body is larger than {limit} bytes.")
    # Read at most one byte past the limit: a body sent without a length cannot grow past it.
    body = request.read(limit + 1)
    if len(body) > limit:
        raise Refused(413, f"The body is larger than {limit} bytes.")
    return body


def json_read(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise Refused(400, "The body is not valid JSON.") from None


def epoch_ms(value) -> int | None:
    """An event time in ms as the sender gave it, if it is one a database column can hold."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
        return value
    return None


def header(request: HttpRequest, name: str) -> str:
    value = request.headers.get(name)
    if not value:
        raise Refused(401, f"The {name} header is missing.")
    return value


def headers_kept(request: HttpRequest) -> dict[str, str]:
    return {name: value for name, value in request.headers.items()
            if name.lower() not in SECRET_HEADERS}


def remote_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
