from django.urls import path

from audit import api

urlpatterns = [
    path("events/", api.EventList.as_view(), name="audit-api-events"),
    path("verify/", api.Verify.as_view(), name="audit-api-verify"),
]
