from django.urls import path, re_path

from portal.core.converters import ID_REGEX

from .views import meetings, moderation, questions, stats

app_name = "forums"
urlpatterns = [
    path("", questions.question_list, name="questions"),
    path("ask/", questions.ask, name="ask"),
    path("similar/", questions.similar, name="similar"),
    path("search/", questions.search, name="search"),
    path("stats/", stats.response_times, name="stats"),
    path("questions/<id:pk>/", questions.question_detail, name="question-bare"),
    path("questions/<id:pk>/reply/", questions.reply, name="reply"),
    path("questions/<id:pk>/vote/", questions.vote, name="vote"),
    path("questions/<id:pk>/follow/", questions.follow, name="follow"),
    path("questions/<id:pk>/answer/", questions.answer, name="answer"),
    path("questions/<id:pk>/edit/", questions.edit, name="edit"),
    # After the action routes, so that "reply", "vote"... are never read as a slug.
    path("questions/<id:pk>/<slug:slug>/", questions.question_detail, name="question"),
    re_path(rf"^(?P<kind>question|reply)/(?P<pk>{ID_REGEX})/flag/$", questions.flag, name="flag"),
    re_path(rf"^(?P<kind>question|reply)/(?P<pk>{ID_REGEX})/appeal/$", questions.appeal, name="appeal"),
    re_path(rf"^(?P<kind>question|reply)/(?P<pk>{ID_REGEX})/moderate/$", moderation.moderate, name="moderate"),
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/log/", moderation.audit_log, name="moderation-log"),
    path("moderation/report/", moderation.moderation_report, name="moderation-report"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/<id:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<id:pk>/meeting.ics", meetings.meeting_ical, name="meeting-ical"),
    path("meetings/<id:pk>/record/", meetings.meeting_record, name="meeting-record"),
]
