from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("triage/statistics/", views.tips_page, name="tips"),
    path("triage/statistics/export.csv", views.tips_export, name="tips_export"),
    path("handoffs/statistics/", views.handoffs_page, name="handoffs"),
    path("handoffs/statistics/export.csv", views.handoffs_export, name="handoffs_export"),
]
