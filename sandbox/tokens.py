"""Access tokens, refresh tokens and authorization codes for both services.

Tokens are self-validating: ``<kind>.<grant>.<expires ms>.<nonce>.<signature>``, signed with
a fixed key, so a token stays valid across ``reset()``, across sandbox restarts and between two
sandbox processes (the demo links accounts through a short-lived sandbox, then runs against
another one). The expiry is part of the signed text, so a token lifetime set with
``POST /_sandbox/limits`` applies to every token issued afterwards. Issue and expiry times
are read from the world's clock (``clock.py``), so advancing it expires tokens.

What cannot be self-validating lives in a ``TokenStore`` (in memory, per process, kept across
``reset()`` like the tokens themselves): revoked grants, rotated-out Zoom refresh tokens and the
single-use authorization codes. A *grant* is one authorization: every token issued from one
code (and every refresh of it) carries the same grant id, and revoking any of its tokens
revokes the whole grant, as uninstalling an app does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

from .clock import Clock

# Fixed on purpose: a token signed by one sandbox process is valid in every other one.
_KEY = b"sandbox-token-signing-key:7f3a9c2e41d8:v2"

# token kinds
ZOOM_S2S = "sbx"  # Zoom Server-to-Server access token
ZOOM_ACCESS = "sbxa"  # Zoom user-OAuth access token
ZOOM_REFRESH = "sbxr"  # Zoom user-OAuth refresh token (rotates on every use)
HUBSPOT_ACCESS = "hsa"  # HubSpot OAuth access token
HUBSPOT_REFRESH = "hsr"  # HubSpot OAuth refresh token (never rotates, never expires)

ZOOM_REFRESH_TTL_S = 90 * 86400  # Zoom refresh tokens live 90 days
CODE_TTL_S = 600  # authorization codes: 10 minutes, single use


def _sig(text: str) -> str:
    return hmac.new(_KEY, text.encode(), hashlib.sha256).hexdigest()[:32]


def _rand(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes).replace("-", "x").replace("_", "y")


class Token:
    """A parsed, signature-checked token."""

    __slots__ = ("kind", "grant", "expires_ms", "nonce", "raw")

    def __init__(self, kind, grant, expires_ms, nonce, raw):
        self.kind = kind
        self.grant = grant
        self.expires_ms = expires_ms  # 0 = never expires
        self.nonce = nonce
        self.raw = raw

    def expired_for_s(self, now: float) -> float:
        """Seconds since expiry at ``now`` (<= 0 while still valid)."""
        if not self.expires_ms:
            return -1.0
        return now - self.expires_ms / 1000.0

    def remaining_s(self, now: float) -> int:
        if not self.expires_ms:
            return 0
        return max(0, int(self.expires_ms / 1000.0 - now))


def make_token(kind: str, grant: str, ttl_s: float | None, *, now: float) -> str:
    """A token of ``kind`` for ``grant`` that expires ``ttl_s`` after ``now`` (None: never)."""
    expires_ms = 0 if ttl_s is None else int((now + ttl_s) * 1000)
    body = f"{kind}.{grant}.{expires_ms}.{_rand(18)}"
    return f"{body}.{_sig(body)}"


def parse_token(raw: str | None) -> Token | None:
    """The token when well-formed and correctly signed, else None (expiry is not checked)."""
    parts = (raw or "").split(".")
    if len(parts) != 5 or not parts[2].isdigit():
        return None
    body = ".".join(parts[:4])
    if not hmac.compare_digest(parts[4], _sig(body)):
        return None
    return Token(parts[0], parts[1], int(parts[2]), parts[3], raw)


def pkce_matches(challenge: str, method: str, verifier: str) -> bool:
    if method.upper() == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        computed = verifier
    return hmac.compare_digest(computed, challenge)


class TokenStore:
    """Per-process token state: revoked grants, used refresh tokens, authorization codes."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.lock = threading.Lock()
        self.revoked_grants: set[str] = set()
        self.used_refresh: set[str] = set()  # nonces of rotated-out Zoom refresh tokens
        self.codes: dict[str, dict] = {}
        self.grant_info: dict[str, dict] = {}  # grant -> {"scopes": [...]} (HubSpot)

    # ---------------------------------------------------------------- grants
    @staticmethod
    def new_grant(prefix: str = "g") -> str:
        return f"{prefix}{_rand(9)}"

    def revoke_grant(self, grant: str) -> None:
        with self.lock:
            self.revoked_grants.add(grant)

    def is_revoked(self, grant: str) -> bool:
        return grant in self.revoked_grants

    def check(self, raw: str | None, kinds: tuple[str, ...]) -> tuple[str, Token | None]:
        """("ok" | "expired" | "revoked" | "invalid", token)."""
        tok = parse_token(raw)
        if tok is None or tok.kind not in kinds:
            return "invalid", None
        if tok.grant in self.revoked_grants:
            return "revoked", tok
        if tok.kind == ZOOM_REFRESH and tok.nonce in self.used_refresh:
            return "revoked", tok
        if tok.expired_for_s(self.clock.time()) > 0:
            return "expired", tok
        return "ok", tok

    def use_refresh(self, tok: Token) -> bool:
        """Mark a rotating refresh token used; False when it already was (lost the race)."""
        with self.lock:
            if tok.nonce in self.used_refresh or tok.grant in self.revoked_grants:
                return False
            self.used_refresh.add(tok.nonce)
            return True

    # ---------------------------------------------------------------- codes
    def new_code(self, **info) -> str:
        code = _rand(24)
        now = self.clock.time()
        with self.lock:
            if len(self.codes) > 1000:
                self.codes = {c: v for c, v in self.codes.items() if v["expires"] > now}
            self.codes[code] = {**info, "expires": now + CODE_TTL_S}
        return code

    def peek_code(self, code: str) -> dict | None:
        with self.lock:
            info = self.codes.get(code or "")
        if info is None or info["expires"] <= self.clock.time():
            return None
        return info

    def take_code(self, code: str) -> dict | None:
        """Consume a code; None when unknown, used or expired."""
        with self.lock:
            info = self.codes.pop(code or "", None)
        if info is None or info["expires"] <= self.clock.time():
            return None
        return info
