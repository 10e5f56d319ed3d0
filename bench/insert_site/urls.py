"""The portal's URLs, unchanged, plus `/bench/insert/`.

Concatenated rather than `include()`d: portal.urls uses i18n_patterns, which Django allows only
in a root URLconf.
"""

from django.urls import path

from bench.insert_site import views
from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("bench/insert/", views.insert, name="bench-insert"), *portal_urlpatterns]
