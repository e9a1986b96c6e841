from django.db import models

from .crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """A text column stored Fernet-encrypted; reads give back the plain value.

    Empty values stay empty (not encrypted) so "not set" is visible without decrypting.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
