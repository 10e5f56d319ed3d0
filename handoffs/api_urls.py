from django.urls import path

from handoffs import api

# Mounted at /api/v1/: the handoffs themselves, and the handoffs made from one tip, which
# the triage desk reads beside the tip.
urlpatterns = [
    path(
        "triage/tips/<uuid:code>/handoffs/",
        api.TipHandoffsView.as_view(),
        name="api-triage-handoffs",
    ),
    path("handoffs/", api.HandoffsView.as_view(), name="api-handoffs"),
    path("handoffs/<uuid:code>/", api.HandoffView.as_view(), name="api-handoff"),
    path("handoffs/<uuid:code>/accept/", api.AcceptView.as_view(), name="api-handoff-accept"),
    path("handoffs/<uuid:code>/decline/", api.DeclineView.as_view(), name="api-handoff-decline"),
    path("handoffs/<uuid:code>/outcome/", api.OutcomeView.as_view(), name="api-handoff-outcome"),
    path(
        "handoffs/<uuid:code>/contact-attempts/",
        api.ContactAttemptsView.as_view(),
        name="api-handoff-contact-attempts",
    ),
    path(
        "handoffs/<uuid:code>/revoke-consent/",
        api.RevokeConsentView.as_view(),
        name="api-handoff-revoke-consent",
    ),
]
