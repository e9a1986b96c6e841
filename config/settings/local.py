"""Development and demo settings: safe defaults so `make demo` needs no configuration."""

import os

# Development-only defaults, applied before the shared settings read the environment.
os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dev-only-field-encryption-key-change-me")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F401,F403
