"""Moving every stored secret onto the first key of FIELD_ENCRYPTION_KEY (`rotate_secrets`), so
the keys after it can be removed."""

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import ExpressionWrapper, F, TextField
from django.utils.text import capfirst

from ..batching import chunks
from ..crypto import decrypt, encrypted_with_first_key
from ..errors import SecretUnreadable
from ..fields import EncryptedTextField

# Rows locked and rewritten per transaction: a token refresh waits at most this long.
ROWS_PER_TRANSACTION = 200


@dataclass
class SecretsRotation:
    rotated: Counter = field(default_factory=Counter)  # per model: re-encrypted
    current: Counter = field(default_factory=Counter)  # per model: already on the first key
    unreadable: list[str] = field(default_factory=list)  # "Zoom account #3 “Sales”: client secret"


def encrypted_columns() -> list[tuple[type, list[EncryptedTextField]]]:
    """Every model with encrypted columns, and those columns."""
    found = []
    for model in apps.get_models():
        columns = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            found.append((model, columns))
    return found


def stored_secrets_rotate() -> SecretsRotation:
    """Re-encrypts with the first key every stored secret another key encrypted; a secret no
    key decrypts is named in the report and left exactly as it is."""
    report = SecretsRotation()
    for model, columns in encrypted_columns():
        label = str(model._meta.verbose_name_plural)
        report.rotated[label] += 0  # every model is reported, even with nothing to do
        report.current[label] += 0
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for some in chunks(pks, ROWS_PER_TRANSACTION):
            with transaction.atomic():
                _rows_rotate(model, columns, some, report)
    return report


def _rows_rotate(model, columns, pks, report: SecretsRotation) -> None:
    # The stored ciphertext as it is: a plain text column, so the field does not decrypt it.
    stored = {f"stored_{c.attname}": ExpressionWrapper(F(c.attname), output_field=TextField())
              for c in columns}
    rows = (model._base_manager.select_for_update().filter(pk__in=pks).annotate(**stored)
            .values_list("pk", *stored))
    label = str(model._meta.verbose_name_plural)
    for pk, *tokens in rows:
        plain = {}
        for column, token in zip(columns, tokens, strict=True):
            if not token:
                continue
            if encrypted_with_first_key(token):
                report.current[label] += 1
                continue
            try:
                plain[column.attname] = decrypt(token)
            except SecretUnreadable:
                report.unreadable.append(_row_name(model, pk, column))
        if plain:
            # update() encrypts through the field, with the first key
            model._base_manager.filter(pk=pk).update(**plain)
            report.rotated[label] += len(plain)


def _row_name(model, pk, column) -> str:
    row = model._base_manager.filter(pk=pk).first()
    return f"{capfirst(model._meta.verbose_name)} #{pk} “{row}”: {column.verbose_name}"
