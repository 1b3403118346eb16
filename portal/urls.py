"""Top-level routes: public site, forum, accounts, staff admin and the REST API.

The API under /api/ is composed here from each app's routes (the reports' and the forum's), so
neither app hosts the other's endpoints; one router keeps one API root listing them all.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from impact.api.urls import routes as report_api_routes
from portal.core.api.urls import api_urls
from portal.core.views import healthz
from portal.forums.api.urls import routes as forum_api_routes

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.accounts.urls")),
    path("forum/", include("portal.forums.urls")),
    path("feeds/", include("portal.forums.feed_urls")),
    path("api/", include(api_urls([*report_api_routes, *forum_api_routes]))),
    path("", include("impact.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages that need no database; a 503 with Retry-After when the database is unreachable.
handler404 = "portal.core.views.not_found"
handler500 = "portal.core.views.server_error"
