from django.apps import AppConfig
from django.conf import settings

from audit.testing import allow_test_flush


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        if getattr(settings, "AUDIT_TEST_FLUSH", False):
            allow_test_flush()
