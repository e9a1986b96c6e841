"""A .env file decides the settings of every process — `manage.py` commands (the worker, the
migrations, `connect_*`) and the web server alike; real environment variables still win.

Each test runs the real entry point in a child process, pointed at a .env in a temporary
folder with ENV_FILE, so the checkout's own files are never touched."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import json; from django.conf import settings; print(json.dumps({"
         "'module': settings.SETTINGS_MODULE, 'debug': settings.DEBUG, "
         "'key': settings.FIELD_ENCRYPTION_KEY, 'log_level': settings.LOG_LEVEL}))")
DEV_KEY = "dev-only-field-encryption-key-change-me"


def clean_environment(**extra) -> dict:
    """The parent's environment without anything the test process itself configured."""
    env = {name: value for name, value in os.environ.items()
           if name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
    return {**env, **extra}


def write_env(path: Path, **values) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return path


def production_env(tmp_path: Path, **more) -> dict:
    return {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DEBUG": "false",
            "SECRET_KEY": "production-" + Fernet.generate_key().decode(),
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "sync.example.com", "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}", **more}


def run(args: list[str], *, env: dict, cwd: Path = ROOT, stdin: str = ""):
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=env, input=stdin,
                            capture_output=True, text=True, timeout=180)
    return result


def probe_manage_py(env: dict, cwd: Path = ROOT) -> dict:
    result = run(["manage.py", "shell", "--no-imports", "-c", PROBE], env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe_wsgi(env: dict) -> dict:
    result = run(["-c", f"import config.wsgi; {PROBE}"], env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_manage_py_uses_the_settings_a_production_env_file_names(tmp_path):
    values = production_env(tmp_path)
    env_file = write_env(tmp_path / ".env", **values)
    seen = probe_manage_py(clean_environment(ENV_FILE=str(env_file)))
    assert seen == {"module": "config.settings.production", "debug": False,
                    "key": [values["FIELD_ENCRYPTION_KEY"]], "log_level": "WARNING"}


def test_the_wsgi_module_uses_the_env_file_too(tmp_path):
    values = production_env(tmp_path)
    env_file = write_env(tmp_path / ".env", **values)
    seen = probe_wsgi(clean_environment(ENV_FILE=str(env_file)))
    assert seen["module"] == "config.settings.production" and seen["debug"] is False
    assert seen["key"] == [values["FIELD_ENCRYPTION_KEY"]]
    # and the file's choice wins over the WSGI default (production) as well
    write_env(env_file, **{**values, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    assert probe_wsgi(clean_environment(ENV_FILE=str(env_file)))["module"] == \
        "config.settings.local"


def test_real_environment_variables_win_over_the_env_file(tmp_path):
    values = production_env(tmp_path)
    env_file = write_env(tmp_path / ".env", **values)
    seen = probe_manage_py(clean_environment(
        ENV_FILE=str(env_file), LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings.local"))
    assert seen["module"] == "config.settings.local" and seen["log_level"] == "ERROR"
    assert seen["key"] == [values["FIELD_ENCRYPTION_KEY"]]  # the rest still from .env


def test_development_defaults_never_replace_env_file_values(tmp_path):
    key = Fernet.generate_key().decode()
    env_file = write_env(tmp_path / ".env", DEBUG="false", FIELD_ENCRYPTION_KEY=key,
                         DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    seen = probe_manage_py(clean_environment(ENV_FILE=str(env_file)))
    assert seen["module"] == "config.settings.local"  # manage.py's default
    assert seen["debug"] is False and seen["key"] == [key]
    # without a .env the development defaults apply
    empty = write_env(tmp_path / "empty.env")
    seen = probe_manage_py(clean_environment(
        ENV_FILE=str(empty), DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}"))
    assert seen["debug"] is True and seen["key"] == [DEV_KEY]


def test_env_file_beside_manage_py_is_read_by_default(tmp_path):
    """A working copy of the entry points with its own .env, as an installation has it."""
    copy = tmp_path / "checkout"
    copy.mkdir()
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    shutil.copytree(ROOT / "config", copy / "config",
                    ignore=shutil.ignore_patterns("__pycache__"))
    values = production_env(tmp_path)
    write_env(copy / ".env", **values)
    seen = probe_manage_py(clean_environment(), cwd=copy)
    assert seen["module"] == "config.settings.production" and seen["debug"] is False


def test_a_missing_env_file_named_by_env_file_is_a_clear_error(tmp_path):
    result = run(["manage.py", "check"],
                 env=clean_environment(ENV_FILE=str(tmp_path / "nowhere.env")))
    assert result.returncode != 0
    assert f"ENV_FILE names {tmp_path / 'nowhere.env'}, which is not a file." in result.stderr


@pytest.mark.django_db
def test_commands_encrypt_secrets_with_the_env_file_key(tmp_path, sandbox):
    """`migrate` and `connect_zoom` run with the production .env: the stored secret opens with
    its key, not with the development default (which the web process could not read)."""
    creds = sandbox.credentials()["zoom"]
    values = production_env(tmp_path, ZOOM_OAUTH_BASE_URL=f"{sandbox.url}/zoom",
                            ZOOM_API_BASE_URL=f"{sandbox.url}/zoom/v2",
                            HUBSPOT_API_BASE_URL=f"{sandbox.url}/hubspot")
    env = clean_environment(ENV_FILE=str(write_env(tmp_path / ".env", **values)),
                            ZOOM_SECRET=creds["client_secret"])
    for args in (["migrate", "--noinput"],
                 ["connect_zoom", "--account-id", creds["account_id"], "--client-id",
                  creds["client_id"], "--client-secret-env", "ZOOM_SECRET"]):
        result = run(["manage.py", *args], env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "production.sqlite3") as db:
        (stored,) = db.execute("SELECT client_secret FROM integrations_zoomaccount").fetchone()
    key = values["FIELD_ENCRYPTION_KEY"].encode()
    assert Fernet(key).decrypt(stored.encode()).decode() == creds["client_secret"]
    from integrations.crypto import _fernet_key

    with pytest.raises(InvalidToken):
        Fernet(_fernet_key(DEV_KEY)).decrypt(stored.encode())
