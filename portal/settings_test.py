"""Test settings: the development profile with fixed secrets and cheap key derivation."""

import os

os.environ.setdefault("PORTAL_ENV", "development")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")
os.environ.setdefault("AUDIT_SIGNING_KEY", "dGVzdC1hdWRpdC1zaWduaW5nLWtleS0zMi1ieXRlcyE")
os.environ.setdefault("VAULT_PASSWORD_PEPPER", "test-vault-pepper-0123456789abcdef0123456789")
os.environ.setdefault("VAULT_RECEIPT_KEY", "test-vault-receipt-key-0123456789abcdef012345")
os.environ.setdefault("VAULT_INDEX_KEY", "test-vault-index-key-0123456789abcdef01234567")
os.environ.setdefault("OTP_SEED_KEY", "test-otp-seed-key-0123456789abcdef0123456789")
os.environ.setdefault("OTP_HASH_KEY", "test-otp-hash-key-0123456789abcdef0123456789")

from portal.settings import *  # noqa: F403

# Tests create many accounts; Argon2's production cost is covered by its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Personal keys: the cheapest Argon2id there is. Production parameters are checked by
# tests/vault/test_argon2_params.py and timed by bench/vault_costs.py.
VAULT_ARGON2_MEMORY_KIB = 64
VAULT_ARGON2_ITERATIONS = 1
VAULT_ARGON2_LANES = 1
# Audit: no checkpoint file unless a test names one, and test-database flushes may clear the
# append-only audit tables (audit/testing.py; production databases never allow it).
AUDIT_CHECKPOINT_FILE = ""
AUDIT_TEST_FLUSH = True
# Anonymous rate limits are off unless a test turns them on (tests/tips/test_throttle.py):
# the cache is shared between test processes, and a limit would make unrelated tests flaky.
TIP_RATE_SUBMISSIONS = 0
TIP_RATE_FOLLOW_UPS = 0
