from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from portal import views
from portal.accounts.admin import site as admin_site

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

urlpatterns = [
    # Answered by portal.middleware.ProbeMiddleware before routing; listed for reverse().
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/schema/", views.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin_site.urls),
    path("staff/", include("portal.accounts.urls")),
    path("api/v1/auth/", include("portal.accounts.api_urls")),
    path("audit/", include("audit.urls")),
    # Before triage/ and handoffs/: the statistics pages live under both.
    path("", include("stats.urls")),
    path("triage/", include("triage.urls")),
    path("handoffs/", include("handoffs.urls")),
    path("api/v1/audit/", include("audit.api_urls")),
    path("api/v1/", include("tips.api_urls")),
    path("api/v1/triage/", include("triage.api_urls")),
    path("api/v1/", include("handoffs.api_urls")),
    path("api/v1/", include("stats.api_urls")),
]

# Public pages, in English at / and in Spanish at /es/.
urlpatterns += i18n_patterns(
    path("", views.landing, name="landing"),
    path("", include("tips.urls")),
    prefix_default_language=False,
)
