from django.apps import AppConfig


class InsertSiteConfig(AppConfig):
    name = "bench.insert_site"
    label = "bench_insert"
    default_auto_field = "django.db.models.BigAutoField"
