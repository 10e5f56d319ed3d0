from django.urls import path

from tips import views

urlpatterns = [
    path("tip/", views.tip_form, name="tip"),
    path("help/", views.help_form, name="help"),
    path("follow-up/", views.follow_up, name="follow-up"),
    path("follow-up/reply/", views.follow_up_reply, name="follow-up-reply"),
]
