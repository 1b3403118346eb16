from django.urls import path, re_path

from .views import meetings, moderation, questions, stats

app_name = "forums"
urlpatterns = [
    path("", questions.question_list, name="questions"),
    path("ask/", questions.ask, name="ask"),
    path("similar/", questions.similar, name="similar"),
    path("search/", questions.search, name="search"),
    path("stats/", stats.response_times, name="stats"),
    path("questions/<int:pk>/", questions.question_detail, name="question-bare"),
    path("questions/<int:pk>/reply/", questions.reply, name="reply"),
    path("questions/<int:pk>/vote/", questions.vote, name="vote"),
    path("questions/<int:pk>/follow/", questions.follow, name="follow"),
    path("questions/<int:pk>/answer/", questions.answer, name="answer"),
    path("questions/<int:pk>/edit/", questions.edit, name="edit"),
    # After the action routes, so that "reply", "vote"... are never read as a slug.
    path("questions/<int:pk>/<slug:slug>/", questions.question_detail, name="question"),
    re_path(r"^(?P<kind>question|reply)/(?P<pk>\d+)/flag/$", questions.flag, name="flag"),
    re_path(r"^(?P<kind>question|reply)/(?P<pk>\d+)/appeal/$", questions.appeal, name="appeal"),
    re_path(r"^(?P<kind>question|reply)/(?P<pk>\d+)/moderate/$", moderation.moderate, name="moderate"),
    path("moderation/", moderation.queue, name="moderation-queue"),
    path("moderation/log/", moderation.audit_log, name="moderation-log"),
    path("moderation/report/", moderation.moderation_report, name="moderation-report"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/meeting.ics", meetings.meeting_ical, name="meeting-ical"),
    path("meetings/<int:pk>/record/", meetings.meeting_record, name="meeting-record"),
]
