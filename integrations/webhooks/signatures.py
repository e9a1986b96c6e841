"""Signature checks, as small validators that each answer yes or no and never raise.

Every comparison is constant-time; none of them logs or returns a secret.
"""

import base64
import hashlib
import hmac
import time


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(errors="replace"), expected.encode())


def timestamp_fresh(*, timestamp_s: float, max_age_s: float = 300,
                    now: float | None = None) -> bool:
    """Within max_age_s of now, either way: an old call may be a replay, and a clock far
    ahead would let a captured call be replayed later."""
    now = time.time() if now is None else now
    return abs(now - timestamp_s) <= max_age_s


def zoom_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                            hashlib.sha256).hexdigest()


def zoom_signature_valid(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    if not secret:
        return False
    return _same(signature, zoom_signature(secret=secret, timestamp=timestamp, body=body))


def zoom_url_validation_token(*, secret: str, plain_token: str) -> str:
    return _hmac_sha256(secret, plain_token.encode()).hex()


def hubspot_v3_signature(*, secret: str, method: str, uri: str, body: bytes,
                         timestamp: str) -> str:
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(_hmac_sha256(secret, message)).decode()


def hubspot_v3_valid(*, secret: str, method: str, uri: str, body: bytes, timestamp: str,
                     signature: str) -> bool:
    if not secret:
        return False
    expected = hubspot_v3_signature(secret=secret, method=method, uri=uri, body=body,
                                    timestamp=timestamp)
    return _same(signature, expected)


def hubspot_v2_signature(*, secret: str, method: str, uri: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + method.encode() + uri.encode() + body).hexdigest()


def hubspot_v2_valid(*, secret: str, method: str, uri: str, body: bytes,
                     signature: str) -> bool:
    if not secret:
        return False
    expected = hubspot_v2_signature(secret=secret, method=method, uri=uri, body=body)
    return _same(signature.lower(), expected)


def hubspot_v1_signature(*, secret: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + body).hexdigest()


def hubspot_v1_valid(*, secret: str, body: bytes, signature: str) -> bool:
    if not secret:
        return False
    return _same(signature.lower(), hubspot_v1_signature(secret=secret, body=body))
