"""`manage.py check --deploy`: what this product adds to Django's deployment checks."""

from django.conf import settings
from django.core import checks

from .crypto import encryption_key_weakness

GENERATE = ('Generate a key with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())".')


@checks.register(checks.Tags.security, deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    """The first key of FIELD_ENCRYPTION_KEY encrypts every stored secret: a placeholder, the
    development default or a short string would leave them readable to anyone who reads the
    database. Older keys only decrypt, until `rotate_secrets` has moved their rows."""
    keys = settings.FIELD_ENCRYPTION_KEY
    keys = keys.split(",") if isinstance(keys, str) else list(keys)
    keys = [key.strip() for key in keys]
    if not any(keys):
        return [checks.Error("FIELD_ENCRYPTION_KEY is empty.", hint=GENERATE,
                             id="integrations.E001")]
    issues = []
    weakness = encryption_key_weakness(keys[0])
    if weakness:
        issues.append(checks.Error(
            f"FIELD_ENCRYPTION_KEY's first key, which encrypts every stored secret, {weakness}.",
            hint=f"{GENERATE} Put it first, keep the old key after a comma, run "
                 "`manage.py rotate_secrets`, then remove the old key.",
            id="integrations.E001"))
    for position, key in enumerate(keys[1:], start=2):
        weakness = encryption_key_weakness(key)
        if weakness:
            issues.append(checks.Warning(
                f"FIELD_ENCRYPTION_KEY's key number {position}, kept to read older secrets, "
                f"{weakness}.",
                hint="Run `manage.py rotate_secrets`, then remove that key.",
                id="integrations.W002"))
    return issues
