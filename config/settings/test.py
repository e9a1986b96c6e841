"""Settings for the test suite."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "y" * 40)
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "test-only-field-encryption-key")
os.environ["DEBUG"] = "false"

from .base import *  # noqa: E402,F401,F403
from .base import Q_CLUSTER  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in the calling process so a test sees the result of what it enqueued.
Q_CLUSTER["sync"] = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
