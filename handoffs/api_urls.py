from django.urls import path

from handoffs import api

urlpatterns = [
    path("", api.HandoffsView.as_view(), name="api-handoffs"),
    path("<uuid:code>/", api.HandoffView.as_view(), name="api-handoff"),
    path("<uuid:code>/accept/", api.AcceptView.as_view(), name="api-handoff-accept"),
    path("<uuid:code>/decline/", api.DeclineView.as_view(), name="api-handoff-decline"),
    path("<uuid:code>/outcome/", api.OutcomeView.as_view(), name="api-handoff-outcome"),
    path(
        "<uuid:code>/contact-attempts/",
        api.ContactAttemptsView.as_view(),
        name="api-handoff-contact-attempts",
    ),
    path(
        "<uuid:code>/revoke-consent/",
        api.RevokeConsentView.as_view(),
        name="api-handoff-revoke-consent",
    ),
]
