from django.urls import path

from portal.accounts import desk_views, manage_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="sign_in"),
    path("login/verify/", views.verify, name="verify"),
    path("login/enroll/", views.enroll, name="enroll"),
    path("logout/", views.sign_out, name="sign_out"),
    path("password/", views.change_password, name="change_password"),
    path("language/", views.language, name="language"),
    path("backup-codes/", views.new_backup_codes, name="backup_codes"),
    path("invitation/<str:token>/", views.accept_invitation, name="invitation"),
    path("desks/", desk_views.desks, name="desks"),
    path("desks/<slug:slug>/grant/", desk_views.grant, name="grant_desk"),
    path("desks/<slug:slug>/revoke/<str:username>/", desk_views.revoke, name="revoke_desk"),
    path("on-call/", views.on_call, name="on_call"),
    path("health/", manage_views.health, name="health"),
    path("accounts/", manage_views.accounts, name="accounts"),
    path("accounts/<str:username>/disable/", manage_views.disable, name="disable"),
    path("accounts/<str:username>/enable/", manage_views.enable, name="enable"),
    path(
        "accounts/<str:username>/reset-2fa/", manage_views.reset_two_factor, name="reset_two_factor"
    ),
]
