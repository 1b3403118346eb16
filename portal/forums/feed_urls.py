"""Routes under /feeds/ (included from portal/urls.py)."""

from django.urls import path

from .feeds import AnsweredQuestionsFeed, TopicAnsweredQuestionsFeed, answers_page, topic_answers_page

app_name = "feeds"
urlpatterns = [
    path("answers.atom", AnsweredQuestionsFeed(), name="answers"),
    path("topics/<str:topic>.atom", TopicAnsweredQuestionsFeed(), name="topic-answers"),
    # Each feed's page for people (the site links these; autodiscovery links the .atom).
    path("answers/", answers_page, name="answers-page"),
    path("topics/<str:topic>/", topic_answers_page, name="topic-answers-page"),
]
