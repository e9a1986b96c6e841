"""The .env file, read before anything chooses the settings module.

manage.py (every command, the `qcluster` worker included), the WSGI module and the settings
themselves call `env_file_load()`, so each process sees the same configuration: the .env
beside manage.py (or the file ENV_FILE names) fills in what the real environment leaves
unset, and its DJANGO_SETTINGS_MODULE picks the settings.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_file_load(*, default_settings: str = "") -> None:
    """Copies the .env file's variables into the environment where they are not set yet
    (real environment variables win), then names the settings module if nothing did."""
    named = os.environ.get("ENV_FILE", "")
    path = Path(named) if named else BASE_DIR / ".env"
    if path.is_file():
        environ.Env.read_env(path, overwrite=False)
    elif named:
        raise ImproperlyConfigured(f"ENV_FILE names {path}, which is not a file.")
    if default_settings:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
