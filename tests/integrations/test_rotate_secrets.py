"""`rotate_secrets` moves every stored secret onto the first key of FIELD_ENCRYPTION_KEY, so
the old key can be dropped; what no key opens is named and left alone."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from integrations.fields import UnreadableSecret
from integrations.models import HubSpotPortal, ZoomAccount
from tests.factories import HubSpotPortalFactory, ZoomAccountFactory

pytestmark = pytest.mark.django_db

LOST_KEY, OLD_KEY, NEW_KEY = (Fernet.generate_key().decode() for _ in range(3))
ZOOM = {"client_secret": "zoom-client-secret", "webhook_secret": "zoom-webhook-secret",
        "access_token": "zoom-access-token", "refresh_token": "zoom-refresh-token"}
HUBSPOT = {"access_token": "pat-na1-token", "refresh_token": "hubspot-refresh-token",
           "client_secret": "hubspot-client-secret"}


def stored(model, pk) -> dict[str, str]:
    columns = [f.column for f in model._meta.concrete_fields
               if f.get_internal_type() == "TextField" and f.name in {*ZOOM, *HUBSPOT}]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} "
                       "WHERE id = %s", [pk])
        return dict(zip(columns, cursor.fetchone(), strict=True))


@pytest.fixture
def secrets_under_old_key(settings):
    settings.FIELD_ENCRYPTION_KEY = [OLD_KEY]
    account = ZoomAccountFactory(name="Marketing Zoom", **ZOOM)
    portal = HubSpotPortalFactory(name="Main portal", **HUBSPOT)
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]  # the new key first, the old one kept
    already_new = ZoomAccountFactory(name="Sales Zoom", client_secret="sales-client-secret")
    return account, portal, already_new


def test_rotation_lets_the_old_key_go(secrets_under_old_key, settings, capsys):
    account, portal, already_new = secrets_under_old_key
    call_command("rotate_secrets")
    out = capsys.readouterr().out
    assert "HubSpot portals: 3 secret(s) re-encrypted, 0 already on the first key." in out
    assert "Zoom accounts: 4 secret(s) re-encrypted, 1 already on the first key." in out
    assert "Re-encrypted 7 secret(s)." in out

    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]  # the old key dropped
    account = ZoomAccount.objects.get(pk=account.pk)
    assert {name: getattr(account, name) for name in ZOOM} == ZOOM
    portal = HubSpotPortal.objects.get(pk=portal.pk)
    assert {name: getattr(portal, name) for name in HUBSPOT} == HUBSPOT
    assert ZoomAccount.objects.get(pk=already_new.pk).client_secret == "sales-client-secret"
    for value in stored(ZoomAccount, account.pk).values():
        Fernet(NEW_KEY.encode()).decrypt(value.encode())  # raises if not on the new key


def test_a_second_rotation_has_nothing_to_do(secrets_under_old_key, capsys):
    account, _, _ = secrets_under_old_key
    call_command("rotate_secrets")
    after_first = stored(ZoomAccount, account.pk)
    capsys.readouterr()
    call_command("rotate_secrets")
    out = capsys.readouterr().out
    assert "Zoom accounts: 0 secret(s) re-encrypted, 5 already on the first key." in out
    assert stored(ZoomAccount, account.pk) == after_first


def test_secrets_no_key_opens_are_named_and_left_unchanged(secrets_under_old_key, settings,
                                                           capsys):
    account, portal, _ = secrets_under_old_key
    settings.FIELD_ENCRYPTION_KEY = [LOST_KEY]
    lost = ZoomAccountFactory(name="Forgotten Zoom", client_secret="lost-client-secret",
                              webhook_secret="lost-webhook-secret")
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, OLD_KEY]
    before = stored(ZoomAccount, lost.pk)

    with pytest.raises(CommandError) as exc:
        call_command("rotate_secrets")
    message = str(exc.value)
    assert "2 secret(s) could not be decrypted with any key of FIELD_ENCRYPTION_KEY" in message
    assert f"Zoom account #{lost.pk} “Forgotten Zoom”: client secret" in message
    assert f"Zoom account #{lost.pk} “Forgotten Zoom”: webhook secret" in message
    assert "lost-client-secret" not in message
    assert stored(ZoomAccount, lost.pk) == before
    # the readable ones were still moved to the new key
    assert "Zoom accounts: 4 secret(s) re-encrypted" in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY]
    assert ZoomAccount.objects.get(pk=account.pk).client_secret == ZOOM["client_secret"]
    assert isinstance(ZoomAccount.objects.get(pk=lost.pk).client_secret, UnreadableSecret)
    settings.FIELD_ENCRYPTION_KEY = [NEW_KEY, LOST_KEY]  # the lost key found again
    assert ZoomAccount.objects.get(pk=lost.pk).client_secret == "lost-client-secret"
