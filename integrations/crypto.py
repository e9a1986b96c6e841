"""Encryption of secrets at rest (tokens, client secrets) with Fernet."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .errors import SecretUnreadable

# Words that mark a key as copied from documentation or development settings, not generated.
PLACEHOLDER_MARKS = ("change-me", "changeme", "change_me", "placeholder", "example",
                     "dev-only", "test-only", "insecure", "not-secret", "replace-me",
                     "long-random-string")
MIN_PASSPHRASE_LENGTH = 32


def _fernet_key_bytes(raw: str) -> bytes | None:
    """The 32 bytes of a proper (generated) Fernet key; None for any other string."""
    try:
        decoded = base64.urlsafe_b64decode(raw.encode())
    except (ValueError, TypeError):
        return None
    return decoded if len(decoded) == 32 else None


def _fernet_key(raw: str) -> bytes:
    # Accept any passphrase: a proper Fernet key is used as is, anything else is stretched into one.
    if _fernet_key_bytes(raw) is not None:
        return raw.encode()
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


def encryption_key_weakness(raw: str) -> str:
    """Why a FIELD_ENCRYPTION_KEY entry is unfit to protect secrets ("" when it is fine): a
    generated Fernet key passes, so does a long passphrase that is no placeholder."""
    key = raw.strip()
    if not key:
        return "is empty"
    lowered = key.lower()
    mark = next((mark for mark in PLACEHOLDER_MARKS if mark in lowered), "")
    if mark:
        return f"is a placeholder or development value (it contains “{mark}”)"
    decoded = _fernet_key_bytes(key)
    if decoded is not None:
        return "is a Fernet key of repeated bytes" if len(set(decoded)) < 16 else ""
    if len(key) < MIN_PASSPHRASE_LENGTH:
        return (f"is too short ({len(key)} characters; a passphrase needs at least "
                f"{MIN_PASSPHRASE_LENGTH})")
    if len(set(key)) < 10:
        return "repeats too few different characters to be random"
    return ""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys or not all(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set to encrypt secrets at rest.")
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEY))


def encrypted_with_first_key(token: str) -> bool:
    """Whether the first (encrypting) key opens this token: nothing to rotate then."""
    try:
        Fernet(_fernet_key(settings.FIELD_ENCRYPTION_KEY[0])).decrypt(token.encode())
    except (InvalidToken, IndexError):
        return False
    return True


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY; "
            "restore the old key (it may be listed after the new one) or re-enter the secret."
        ) from exc
