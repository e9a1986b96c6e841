from django.db import models

from .crypto import decrypt, encrypt
from .errors import SecretUnreadable

UNREADABLE_LABEL = "unreadable — enter it again"


class UnreadableSecret(str):
    """A stored secret FIELD_ENCRYPTION_KEY no longer decrypts (the key changed, no rotation).

    It reads as an empty string, so code that needs the secret finds none and says so, and a
    page that loads the row still opens. Saving the row writes the original ciphertext back:
    restoring the old key recovers it, and only a newly entered value replaces it.
    """

    ciphertext: str

    def __new__(cls, ciphertext: str):
        obj = super().__new__(cls, "")
        obj.ciphertext = ciphertext
        return obj

    def __repr__(self):
        return "UnreadableSecret()"

    def __reduce__(self):
        return (UnreadableSecret, (self.ciphertext,))


def secret_state(value) -> str:
    """What a person may see of a secret: whether one is stored, never the value."""
    if isinstance(value, UnreadableSecret):
        return UNREADABLE_LABEL
    return "set" if value else "not set"


class EncryptedTextField(models.TextField):
    """A text column stored Fernet-encrypted; reads give back the plain value.

    Empty values stay empty (not encrypted) so "not set" is visible without decrypting. A value
    the current keys cannot decrypt reads as an UnreadableSecret instead of failing the query.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except SecretUnreadable:
            return UnreadableSecret(value)

    def get_prep_value(self, value):
        if isinstance(value, UnreadableSecret):
            return value.ciphertext
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
