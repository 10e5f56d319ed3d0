from django.urls import path

from tips import api

urlpatterns = [
    path("tips/", api.TipsView.as_view(), name="api-tips"),
    path("areas/", api.AreasView.as_view(), name="api-areas"),
    path("follow-up/", api.FollowUpView.as_view(), name="api-follow-up"),
    path("follow-up/messages/", api.FollowUpMessagesView.as_view(), name="api-follow-up-messages"),
]
