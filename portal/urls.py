"""Top-level routes: public site, forum, accounts, staff admin and the REST API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.accounts.urls")),
    path("forum/", include("portal.forums.urls")),
    path("feeds/", include("portal.forums.feed_urls")),
    path("api/", include("impact.api.urls")),
    path("", include("impact.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages that need no database; a 503 with Retry-After when the database is unreachable.
handler404 = "portal.core.views.not_found"
handler500 = "portal.core.views.server_error"
