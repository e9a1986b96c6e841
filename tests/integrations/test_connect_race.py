"""Two admins linking the same new Zoom account at the same moment — with the connect command,
through OAuth, or by adding it in the admin — end with one account row and no error page."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client

from integrations.models import ZoomAccount
from tests.integrations.test_oauth import authorize, consent, messages_of
from tests.integrations.test_oauth import oauth_apps as oauth_apps  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*actions):
    """Runs each action in its own thread (its own database connection), all released at the
    same moment; returns what each returned, in order."""
    start = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, action):
        try:
            start.wait(timeout=30)
            results[i] = action()
        except Exception as exc:  # the test reads it as an outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def second_admin() -> Client:
    user = get_user_model().objects.create_superuser("bea", "bea@acme.example", "pw-bea-123")
    client = Client()
    client.force_login(user)
    return client


class LinkedByTheOtherAdminFirst:
    """The other admin's link of the same account commits between this one's check and its
    save: the moment a second insert of that account id is about to go out, another
    connection inserts (and commits) it first."""

    def __init__(self, zoom_account_id: str):
        self.zoom_account_id, self.done = zoom_account_id, False

    def __enter__(self):
        pre_save.connect(self.receiver, sender=ZoomAccount)
        return self

    def __exit__(self, *exc):
        pre_save.disconnect(self.receiver, sender=ZoomAccount)

    def receiver(self, sender, instance, **kwargs):
        if self.done or not instance._state.adding \
                or instance.zoom_account_id != self.zoom_account_id:
            return
        self.done = True

        def other_admin():
            try:
                ZoomAccount.objects.create(zoom_account_id=self.zoom_account_id,
                                           name="Linked by Bea", client_id="bea-client")
            finally:
                connection.close()

        thread = threading.Thread(target=other_admin)
        thread.start()
        thread.join(timeout=30)


needs_row_locks = pytest.mark.skipif(
    "connection.vendor == 'sqlite'",
    reason="SQLite takes its write lock when a transaction begins: no other connection can "
           "link the account between this one's check and its save")


# --- at the same moment -------------------------------------------------------------------


def test_two_connect_commands_for_the_same_new_account_make_one_row(sandbox):
    creds = sandbox.credentials()["zoom"]
    args = ["connect_zoom", "--account-id", creds["account_id"], "--client-id",
            creds["client_id"], "--client-secret", creds["client_secret"]]

    outcomes = at_once(lambda: call_command(*args, "--name", "Marketing Zoom"),
                       lambda: call_command(*args, "--name", "Marketing Zoom"))

    assert outcomes == [None, None]  # neither raised
    account = ZoomAccount.objects.get()
    assert account.zoom_account_id == creds["account_id"] and account.name == "Marketing Zoom"
    assert account.client_secret == creds["client_secret"] and account.access_token


def test_two_oauth_sign_ins_of_the_same_new_account_make_one_row(oauth_apps, admin_client):
    other = second_admin()
    callbacks = [consent(authorize(admin_client, "zoom")), consent(authorize(other, "zoom"))]

    responses = at_once(lambda: admin_client.get(callbacks[0], follow=True),
                        lambda: other.get(callbacks[1], follow=True))

    account = ZoomAccount.objects.get()
    for response in responses:
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == \
            f"/admin/integrations/zoomaccount/{account.pk}/change/"
    # (read from the pages: the test client's captured contexts are not thread-safe)
    pages = [r.content.decode() for r in responses]
    assert sorted("Reconnected Zoom account" in page for page in pages) == [False, True]
    assert sorted("Linked Zoom account" in page for page in pages) == [False, True]
    assert account.auth_type == ZoomAccount.AuthType.OAUTH and account.refresh_token


# --- between one admin's check and their save ---------------------------------------------


@needs_row_locks
def test_connect_command_finishes_on_the_row_the_other_admin_just_made(sandbox):
    creds = sandbox.credentials()["zoom"]
    with LinkedByTheOtherAdminFirst(creds["account_id"]) as other:
        call_command("connect_zoom", "--account-id", creds["account_id"], "--client-id",
                     creds["client_id"], "--client-secret", creds["client_secret"])
    assert other.done
    account = ZoomAccount.objects.get()
    assert account.client_id == creds["client_id"] and account.access_token


@needs_row_locks
def test_oauth_sign_in_finishes_on_the_row_the_other_admin_just_made(oauth_apps,
                                                                     admin_client):
    callback = consent(authorize(admin_client, "zoom"))
    with LinkedByTheOtherAdminFirst(oauth_apps["zoom"]["account_id"]) as other:
        response = admin_client.get(callback, follow=True)
    assert other.done
    account = ZoomAccount.objects.get()
    assert response.redirect_chain[-1][0] == \
        f"/admin/integrations/zoomaccount/{account.pk}/change/"
    assert messages_of(response)[0].startswith("Reconnected Zoom account “Linked by Bea”")
    assert account.auth_type == ZoomAccount.AuthType.OAUTH and account.refresh_token


@needs_row_locks
def test_adding_the_account_in_the_admin_saves_onto_the_row_the_other_admin_just_made(
        admin_client):
    with LinkedByTheOtherAdminFirst("acc-shared") as other:
        response = admin_client.post("/admin/integrations/zoomaccount/add/", {
            "name": "Marketing Zoom", "zoom_account_id": "acc-shared", "auth_type": "s2s",
            "client_id": "typed-client-id", "client_secret": "typed-secret",
            "webhook_secret": ""}, follow=True)
    assert other.done
    assert response.status_code == 200
    account = ZoomAccount.objects.get()
    assert (account.name, account.client_id, account.client_secret) == (
        "Marketing Zoom", "typed-client-id", "typed-secret")
    assert any("was linked by someone else a moment ago" in m for m in messages_of(response))
    assert "typed-secret" not in response.content.decode()


def test_adding_an_account_already_linked_says_so_on_the_form(admin_client):
    ZoomAccount.objects.create(zoom_account_id="acc-shared", name="Linked by Bea")
    response = admin_client.post("/admin/integrations/zoomaccount/add/", {
        "name": "Marketing Zoom", "zoom_account_id": "acc-shared", "auth_type": "s2s",
        "client_id": "typed-client-id", "client_secret": "typed-secret"})
    assert response.status_code == 200
    assert "Zoom account with this Zoom account id already exists." in \
        response.content.decode()
    assert ZoomAccount.objects.get().name == "Linked by Bea"
