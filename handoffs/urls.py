from django.urls import path

from handoffs import views

app_name = "handoffs"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/<uuid:tip>/", views.create, name="create"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/accept/", views.accept, name="accept"),
    path("<uuid:code>/decline/", views.decline, name="decline"),
    path("<uuid:code>/contact-attempts/", views.contact_attempt, name="contact_attempt"),
    path("<uuid:code>/outcome/", views.outcome, name="outcome"),
    path("<uuid:code>/notes/", views.add_note, name="add_note"),
    path("<uuid:code>/revoke-consent/", views.revoke_consent, name="revoke_consent"),
]
