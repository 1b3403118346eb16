"""Atom feeds of answered questions (all topics, and one per topic), and each feed's page for people."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.core.feeds import ReadableFeedMixin
from portal.core.pagecache import cached_page

from .models import PostStatus, Question, Topic


def answered_questions(topic=None, limit=50):
    """The latest answered questions, newest answer first."""
    qs = Question.objects.filter(status=PostStatus.ANSWERED, answer__isnull=False)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.select_related("answer__author", "author").order_by("-answered_at")[:limit]


# The topic feeds inherit the cached __call__.
@method_decorator(cached_page("forum"), name="__call__")
class AnsweredQuestionsFeed(ReadableFeedMixin, Feed):
    title = _("Community Impact Portal: answered questions")
    subtitle = _("Official answers to residents' questions about the data centre's energy, air, water and more.")

    def link(self):
        return reverse("forums:questions") + "?state=answered"

    def about_link(self, obj):
        return reverse("feeds:answers-page")

    def items(self):
        return answered_questions()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Sanitised HTML, rendered when the answer was saved.
        return f"<p><strong>Question</strong></p>{item.body_html}<p><strong>Official answer</strong></p>{item.answer.body_html}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.answered_at

    def item_updateddate(self, item):
        return item.answer.revised_at or item.answered_at

    def item_author_name(self, item):
        return item.answer.author.public_name

    def item_categories(self, item):
        return [item.get_topic_display()]


class TopicAnsweredQuestionsFeed(AnsweredQuestionsFeed):
    def get_object(self, request, topic):
        if topic not in Topic.values:
            raise Http404("No such topic.")
        return topic

    def title(self, obj):
        return _("Community Impact Portal: answered questions on %(topic)s") % {"topic": str(Topic(obj).label).lower()}

    def link(self, obj):
        return reverse("forums:questions") + f"?state=answered&topic={obj}"

    def about_link(self, obj):
        return reverse("feeds:topic-answers-page", args=[obj])

    def items(self, obj):
        return answered_questions(topic=obj)




def _feed_page(request, feed, obj, feed_path, topics):
    # Titles are what residents wrote, shown as written (translate="no" in the page).
    entries = [{"title": q.title, "url": q.get_absolute_url(), "date": q.answered_at, "written_by_people": True}
               for q in (feed.items(obj) if obj else feed.items())[:20]]
    return render(request, "forums/answer_feed.html", {
        "feed_title": feed.title(obj) if obj else feed.title, "feed_subtitle": feed.subtitle, "entries": entries,
        "feed_path": feed_path, "feed_url": settings.SITE_URL + feed_path, "topics": topics,
    })


@require_safe
@cached_page("forum")
def answers_page(request):
    """The answers feed for people: what a feed is, its address, the latest answers, e-mail instead."""
    return _feed_page(request, AnsweredQuestionsFeed(), None, reverse("feeds:answers"), Topic.choices)


@require_safe
@cached_page("forum")
def topic_answers_page(request, topic):
    feed = TopicAnsweredQuestionsFeed()
    obj = feed.get_object(request, topic)
    return _feed_page(request, feed, obj, reverse("feeds:topic-answers", args=[obj]), [])
