"""Routes under /feeds/ (included from portal/urls.py)."""

from django.urls import path

from .feeds import AnsweredQuestionsFeed, TopicAnsweredQuestionsFeed

app_name = "feeds"
urlpatterns = [
    path("answers.atom", AnsweredQuestionsFeed(), name="answers"),
    path("topics/<str:topic>.atom", TopicAnsweredQuestionsFeed(), name="topic-answers"),
]
