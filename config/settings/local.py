"""Development and demo settings: safe defaults so `make demo` needs no configuration."""

import os

from config.env import env_file_load

# Development-only defaults for what neither the environment nor .env sets: .env is read
# first, so a value there (a real key, DEBUG=false) is never replaced by one of these.
env_file_load()
os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dev-only-field-encryption-key-change-me")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F401,F403
