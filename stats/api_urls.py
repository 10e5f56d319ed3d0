from django.urls import path

from stats import api

urlpatterns = [path("statistics/", api.Statistics.as_view(), name="statistics-api")]
