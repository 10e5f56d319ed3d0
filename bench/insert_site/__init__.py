"""A bench-only Django site: the portal's settings and URLs plus one minimal insert view.

`bench.submit` serves both the tip API and `/bench/insert/` from one gunicorn started with
`DJANGO_SETTINGS_MODULE=bench.insert_site.settings`, so the baseline and the tips run through
the same server, workers, middleware and database. Nothing here is imported by the app.
"""
