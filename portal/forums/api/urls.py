"""The forum's routes under /api/v1/, as (prefix, ViewSet, basename); portal/urls.py composes them
with the reports' into one router (portal.core.api.urls.api_urls)."""

from portal.forums.api import views

routes = [
    ("questions", views.QuestionViewSet, "question"),
    ("meetings", views.MeetingViewSet, "meeting"),
]
