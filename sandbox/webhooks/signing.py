"""The two services' webhook signatures (checked against their published test vectors in
``tests/sandbox/test_sandbox_webhooks.py``)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def zoom_signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    """``x-zm-signature``: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{raw body}``."""
    message = b"v0:" + timestamp.encode() + b":" + raw_body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def hubspot_signature_v3(secret: str, method: str, url: str, raw_body: bytes,
                         timestamp_ms: str) -> str:
    """``X-HubSpot-Signature-v3``: base64 HMAC-SHA256 of method + URL + body + timestamp."""
    message = method.encode() + url.encode() + raw_body + timestamp_ms.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()
                            ).decode()


def hubspot_signature_v2(secret: str, method: str, url: str, raw_body: bytes) -> str:
    """``X-HubSpot-Signature`` (version v2): hex SHA-256 of secret + method + URL + body."""
    message = secret.encode() + method.encode() + url.encode() + raw_body
    return hashlib.sha256(message).hexdigest()
