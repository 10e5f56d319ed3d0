from django.urls import path

from triage import api

urlpatterns = [
    path("tips/", api.QueueView.as_view(), name="api-triage-queue"),
    path("tips/bulk/", api.BulkView.as_view(), name="api-triage-bulk"),
    path("tips/<uuid:code>/", api.TipDetailView.as_view(), name="api-triage-tip"),
    path("tips/<uuid:code>/review/", api.ReviewView.as_view(), name="api-triage-review"),
    path("tips/<uuid:code>/hold/", api.HoldView.as_view(), name="api-triage-hold"),
    path("tips/<uuid:code>/claim/", api.ClaimView.as_view(), name="api-triage-claim"),
    path("tips/<uuid:code>/release/", api.ReleaseView.as_view(), name="api-triage-release"),
    path("tips/<uuid:code>/assign/", api.AssignView.as_view(), name="api-triage-assign"),
    path("tips/<uuid:code>/transition/", api.TransitionView.as_view(), name="api-triage-move"),
    path("tips/<uuid:code>/notes/", api.NotesView.as_view(), name="api-triage-notes"),
    path("tips/<uuid:code>/messages/", api.MessagesView.as_view(), name="api-triage-messages"),
    path("tips/<uuid:code>/related/", api.RelatedView.as_view(), name="api-triage-related"),
    path("tips/<uuid:code>/links/", api.LinksView.as_view(), name="api-triage-links"),
    path("tips/<uuid:code>/links/<uuid:other>/", api.LinkView.as_view(), name="api-triage-link"),
    path(
        "tips/<uuid:code>/attachments/",
        api.AttachmentsView.as_view(),
        name="api-triage-attachments",
    ),
    path(
        "tips/<uuid:code>/attachments/<uuid:attachment>/",
        api.AttachmentView.as_view(),
        name="api-triage-attachment",
    ),
    path("tips/<uuid:code>/reveals/", api.RevealsView.as_view(), name="api-triage-reveals"),
    path("tips/<uuid:code>/contact/", api.ContactView.as_view(), name="api-triage-contact"),
    path(
        "reveals/<uuid:reveal>/approve/",
        api.DecideRevealView.as_view(),
        name="api-triage-reveal-approve",
    ),
    path("reveals/<uuid:reveal>/deny/", api.DenyRevealView.as_view(), name="api-triage-deny"),
    path(
        "tips/<uuid:code>/minor-reports/",
        api.MinorReportsView.as_view(),
        name="api-triage-minor-reports",
    ),
    path("tips/<uuid:code>/referrals/", api.ReferralsView.as_view(), name="api-triage-referrals"),
]
