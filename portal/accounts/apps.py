from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        # Importing registers the OpenAPI auth schemes; the app registry must be ready first.
        from portal.accounts import schema  # noqa: F401, PLC0415
