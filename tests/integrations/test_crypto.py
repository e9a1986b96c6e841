import pytest
from django.test import override_settings

from integrations.crypto import decrypt, encrypt
from integrations.errors import SecretUnreadable


def test_round_trip_and_ciphertext_hides_the_value():
    token = encrypt("super-secret-value")
    assert "super-secret-value" not in token
    assert decrypt(token) == "super-secret-value"


def test_rotated_keys_still_decrypt_old_values():
    with override_settings(FIELD_ENCRYPTION_KEY=["old-key"]):
        old = encrypt("value")
    with override_settings(FIELD_ENCRYPTION_KEY=["new-key", "old-key"]):
        assert decrypt(old) == "value"


def test_wrong_key_gives_a_readable_error_without_the_value():
    with override_settings(FIELD_ENCRYPTION_KEY=["key-a"]):
        token = encrypt("value")
    with override_settings(FIELD_ENCRYPTION_KEY=["key-b"]), pytest.raises(SecretUnreadable) as exc:
        decrypt(token)
    assert "FIELD_ENCRYPTION_KEY" in str(exc.value)
