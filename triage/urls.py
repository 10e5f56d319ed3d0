from django.urls import path

from triage import saved_views, views

app_name = "triage"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("tips/bulk/", views.bulk, name="bulk"),
    path("saved-views/", saved_views.save, name="save_filter"),
    path("saved-views/<uuid:code>/delete/", saved_views.delete, name="delete_saved_filter"),
    path("reveals/", views.reveals, name="reveals"),
    path("reveals/<uuid:code>/approve/", views.approve_reveal, name="approve_reveal"),
    path("reveals/<uuid:code>/deny/", views.deny_reveal, name="deny_reveal"),
    path("tips/<uuid:code>/", views.tip_page, name="tip"),
    path("tips/<uuid:code>/claim/", views.claim, name="claim"),
    path("tips/<uuid:code>/review/", views.review, name="review"),
    path("tips/<uuid:code>/hold/", views.hold, name="hold"),
    path("retention/", views.retention_policy, name="retention_policy"),
    path("tips/<uuid:code>/release/", views.release, name="release"),
    path("tips/<uuid:code>/assign/", views.assign, name="assign"),
    path("tips/<uuid:code>/transition/", views.transition, name="transition"),
    path("tips/<uuid:code>/categorize/", views.categorize, name="categorize"),
    path("tips/<uuid:code>/prioritize/", views.prioritize, name="prioritize"),
    path("tips/<uuid:code>/notes/", views.add_note, name="add_note"),
    path("tips/<uuid:code>/messages/", views.message_tipster, name="message_tipster"),
    path("tips/<uuid:code>/links/", views.link, name="link"),
    path("tips/<uuid:code>/links/<uuid:other>/unlink/", views.unlink, name="unlink"),
    path("tips/<uuid:code>/reveals/", views.request_reveal, name="request_reveal"),
    path("tips/<uuid:code>/contact/", views.contact, name="contact"),
    path("tips/<uuid:code>/minor-reports/", views.record_minor_report, name="minor_report"),
    path("tips/<uuid:code>/minor-summary/", views.minor_summary_page, name="minor_summary"),
    path("tips/<uuid:code>/referrals/", views.refer, name="refer"),
    path(
        "tips/<uuid:code>/referrals/<uuid:referral>/",
        views.referral_packet,
        name="referral_packet",
    ),
    path("tips/<uuid:code>/attachments/<uuid:attachment>/", views.attachment, name="attachment"),
    path(
        "tips/<uuid:code>/attachments/<uuid:attachment>/preview/",
        views.attachment_preview,
        name="attachment_preview",
    ),
]
