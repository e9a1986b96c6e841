"""`connect_zoom` and `connect_hubspot` take their secrets from environment variables, a prompt
or standard input, so no secret has to appear in the process list or the shell history."""

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.models import HubSpotPortal, ZoomAccount

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_zoom_secrets_from_environment_variables(sandbox, monkeypatch, capsys):
    creds = sandbox.credentials()["zoom"]
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", creds["client_secret"])
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET", creds["webhook_secret"])
    call_command("connect_zoom", "--account-id", creds["account_id"],
                 "--client-id", creds["client_id"], "--client-secret-env", "ZOOM_CLIENT_SECRET",
                 "--webhook-secret-env", "ZOOM_WEBHOOK_SECRET")
    account = ZoomAccount.objects.get()
    assert account.client_secret == creds["client_secret"]
    assert account.webhook_secret == creds["webhook_secret"]
    captured = capsys.readouterr()
    assert "Linked Zoom account" in captured.out and "Warning" not in captured.err


def test_hubspot_secrets_from_standard_input(sandbox, capsys):
    creds = sandbox.credentials()["hubspot"]
    call_command("connect_hubspot", "--portal-id", creds["portal_id"],
                 stdin=io.StringIO(f"{creds['token']}\n{creds['client_secret']}\n"))
    portal = HubSpotPortal.objects.get()
    assert portal.access_token == creds["token"]
    assert portal.client_secret == creds["client_secret"]
    assert "Linked HubSpot portal" in capsys.readouterr().out


def test_optional_secret_may_be_left_out_of_standard_input(sandbox):
    creds = sandbox.credentials()["zoom"]
    call_command("connect_zoom", "--account-id", creds["account_id"],
                 "--client-id", creds["client_id"],
                 stdin=io.StringIO(creds["client_secret"] + "\n"))
    account = ZoomAccount.objects.get()
    assert account.client_secret == creds["client_secret"] and account.webhook_secret == ""


def test_secrets_are_asked_for_at_a_terminal_without_echo(sandbox, monkeypatch):
    creds = sandbox.credentials()["zoom"]
    answers = {"Zoom client secret: ": creds["client_secret"],
               "Zoom webhook secret token (Enter to skip): ": ""}
    asked = []

    def getpass(prompt):
        asked.append(prompt)
        return answers[prompt]

    monkeypatch.setattr("getpass.getpass", getpass)
    call_command("connect_zoom", "--account-id", creds["account_id"],
                 "--client-id", creds["client_id"], stdin=Terminal())
    assert asked == list(answers)
    assert ZoomAccount.objects.get().client_secret == creds["client_secret"]


def test_an_empty_environment_variable_is_refused_before_anything_is_linked(sandbox,
                                                                           monkeypatch):
    monkeypatch.delenv("NO_SUCH_VARIABLE", raising=False)
    with pytest.raises(CommandError) as exc:
        call_command("connect_hubspot", "--token-env", "NO_SUCH_VARIABLE")
    assert "NO_SUCH_VARIABLE (--token-env) is not set or empty" in str(exc.value)
    assert sandbox.calls()["total"] == 0 and not HubSpotPortal.objects.exists()


def test_no_secret_at_all_is_refused_with_the_ways_to_give_one(sandbox):
    with pytest.raises(CommandError) as exc:
        call_command("connect_zoom", "--account-id", "a", "--client-id", "c",
                     stdin=io.StringIO(""))
    assert "No Zoom client secret given: use --client-secret-env VARIABLE" in str(exc.value)
    assert sandbox.calls()["total"] == 0


def test_a_secret_in_the_arguments_still_works_with_a_warning(sandbox, capsys):
    creds = sandbox.credentials()["hubspot"]
    call_command("connect_hubspot", "--token", creds["token"])
    assert HubSpotPortal.objects.get().access_token == creds["token"]
    err = capsys.readouterr().err
    assert "--token shows the HubSpot private-app token in the process list" in err
    assert creds["token"] not in err


def test_environment_and_argument_for_one_secret_are_refused(sandbox):
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("connect_hubspot", "--token", "x", "--token-env", "HUBSPOT_TOKEN")
