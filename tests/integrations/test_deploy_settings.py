"""Production settings pass Django's deployment checks — and fail them with an encryption key
that would not protect the stored secrets."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[2]


def env_example_value(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert match, f"{name} is not in .env.example"
    return match.group(1)


def local_settings_default(name: str) -> str:
    """The development default config/settings/local.py gives `name` (read, not imported:
    importing it would change this process's environment)."""
    source = (ROOT / "config" / "settings" / "local.py").read_text()
    match = re.search(rf'os\.environ\.setdefault\("{name}", "([^"]+)"\)', source)
    assert match, f"local.py sets no default for {name}"
    return match.group(1)


def check_deploy(tmp_path, **overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": "a-production-like-secret-key-" + "k3Y" * 20,
           "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "ALLOWED_HOSTS": "sync.example.com",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "ENV_FILE": str(tmp_path / "empty.env"), **overrides}
    (tmp_path / "empty.env").write_text("")
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # test-process settings, not deployment
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings_with_a_generated_key(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_under_production_settings_with_the_example_key(tmp_path):
    placeholder = env_example_value("FIELD_ENCRYPTION_KEY")
    result = check_deploy(tmp_path, FIELD_ENCRYPTION_KEY=placeholder)
    assert result.returncode != 0
    assert "(integrations.E001) FIELD_ENCRYPTION_KEY's first key" in result.stderr
    assert placeholder not in result.stdout + result.stderr  # the key itself is never printed


WEAK_KEYS = {
    "empty": "",
    "blank": "  ",
    "one letter": "k",
    "short": "s3cr3t-passphrase-2026",
    "change-me": "change-me",
    "change-me-like": "CHANGEME-please-to-something-long-and-random",
    "repeated characters": "ab" * 20,
    "Fernet key of zero bytes": "A" * 43 + "=",
}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_weak_keys_fail_the_deploy_check(settings, key):
    settings.FIELD_ENCRYPTION_KEY = [key]
    with pytest.raises(SystemCheckError, match=r"integrations\.E001"):
        call_command("check", "--deploy", "--tag", "security")


@pytest.mark.parametrize("source", ["development default", ".env.example", "test settings"])
def test_keys_published_with_the_project_fail_the_deploy_check(settings, source):
    key = {"development default": lambda: local_settings_default("FIELD_ENCRYPTION_KEY"),
           ".env.example": lambda: env_example_value("FIELD_ENCRYPTION_KEY"),
           "test settings": lambda: settings.FIELD_ENCRYPTION_KEY[0]}[source]()
    settings.FIELD_ENCRYPTION_KEY = [key]
    with pytest.raises(SystemCheckError, match=r"integrations\.E001"):
        call_command("check", "--deploy", "--tag", "security")


@pytest.mark.parametrize("key", [Fernet.generate_key().decode(),
                                 "Vq8#mZ2!rT5@wL9$kP3^nB7&xC1*hJ4(dF6)"],
                         ids=["generated Fernet key", "long random passphrase"])
def test_strong_keys_pass_the_deploy_check(settings, key, capsys):
    settings.FIELD_ENCRYPTION_KEY = [key]
    call_command("check", "--deploy", "--tag", "security")
    assert "FIELD_ENCRYPTION_KEY" not in "".join(capsys.readouterr())


def test_a_weak_old_key_kept_for_rotation_is_only_a_warning(settings, capsys):
    settings.FIELD_ENCRYPTION_KEY = [Fernet.generate_key().decode(),
                                     local_settings_default("FIELD_ENCRYPTION_KEY")]
    call_command("check", "--deploy", "--tag", "security")
    output = "".join(capsys.readouterr())
    assert "(integrations.W002) FIELD_ENCRYPTION_KEY's key number 2" in output
    assert "rotate_secrets" in output and "integrations.E001" not in output
