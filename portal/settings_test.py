"""Test settings: the development profile with fixed secrets and cheap key derivation."""

import os

os.environ.setdefault("PORTAL_ENV", "development")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")

from portal.settings import *  # noqa: F403

# Tests create many accounts; Argon2's production cost is covered by its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
