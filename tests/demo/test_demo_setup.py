"""`make demo`'s setup step: links the sandbox's accounts and finds every seeded webinar."""

import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from integrations.models import SyncSettings, ZoomAccount
from webinars.models import QuestionMapping, RegistrationRule, Webinar

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_setup_links_accounts_and_discovers_all_seeded_webinars(settings, capsys,
                                                                     tmp_path):
    base = f"http://127.0.0.1:{free_port()}"
    settings.ZOOM_OAUTH_BASE_URL = f"{base}/zoom"
    settings.ZOOM_API_BASE_URL = f"{base}/zoom/v2"
    settings.HUBSPOT_API_BASE_URL = f"{base}/hubspot"
    env_file = tmp_path / "demo.env"  # never the checkout's own var/demo.env
    call_command("demo_setup", "--password", "demo-pass-123", "--env-file", str(env_file))
    out = capsys.readouterr().out
    assert "8 webinar(s) discovered" in out and "Password: demo-pass-123" in out
    account = ZoomAccount.objects.get()
    assert account.hubspot_portal is not None
    assert Webinar.objects.count() == 8  # the 6 listed by Zoom and 2 expired, from history
    assert "competitor.example" in SyncSettings.get_solo().excluded_domains
    assert get_user_model().objects.get(username="admin").check_password("demo-pass-123")
    assert env_file.read_text().count("=") == 5
    assert env_file.stat().st_mode & 0o077 == 0  # holds OAuth client secrets
    assert "Form rule: “Webinar sign-up” → Inbound Playbook" in out

    call_command("demo_setup", "--password", "demo-pass-123", "--env-file", str(env_file))
    (mapping,) = QuestionMapping.objects.all()  # `make demo` runs it each time: still one
    assert (mapping.kind, mapping.question, mapping.hubspot_property) == (
        "custom", "What would you like to learn?", "message")
    (rule,) = RegistrationRule.objects.all()
    assert (rule.form_guid, rule.form_name, rule.webinar.zoom_id, rule.enabled) == (
        "0c6d3a5e-8b1f-4d2a-9e7c-5a4b3c2d1e0f", "Webinar sign-up", "81234567008", True)


def test_demo_setup_refuses_real_service_urls(settings):
    settings.HUBSPOT_API_BASE_URL = "https://api.hubapi.com"
    with pytest.raises(CommandError, match="set ZOOM_OAUTH_BASE_URL"):
        call_command("demo_setup")
