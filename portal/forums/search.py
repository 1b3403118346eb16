"""Search over questions and their official answers, and similar-title suggestions.

PostgreSQL: full-text search (english configuration) ranked by SearchRank, titles weighted above
bodies. SQLite: every word must appear in the title, the body or the answer (case-insensitive).
"""

import re

from django.conf import settings
from django.db.models import Q

from .models import PUBLIC_STATUSES, Question

WORD = re.compile(r"\w{3,}", re.UNICODE)
# Common words that would match nearly every question title.
STOPWORDS = {
    "the", "and", "for", "are", "was", "what", "when", "where", "which", "who", "why", "how", "does", "did",
    "will", "with", "this", "that", "from", "about", "into", "there", "their", "have", "has", "had", "can",
    "could", "would", "should", "much", "many", "any", "not", "you", "your", "our", "its", "they", "them",
}


def terms(text):
    return [w for w in (m.group(0).lower() for m in WORD.finditer(text or "")) if w not in STOPWORDS][:12]


def public_questions():
    return Question.objects.filter(status__in=PUBLIC_STATUSES)


def search_questions(query, queryset=None):
    """Questions matching ``query``, best first."""
    queryset = public_questions() if queryset is None else queryset
    words = terms(query)
    if not words:
        return queryset.none()
    if settings.DATABASE_IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("body", weight="B", config="english")
            + SearchVector("answer__body", weight="B", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "-vote_count", "-created_at")
        )
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word) | Q(answer__body__icontains=word)
    return queryset.filter(condition).order_by("-vote_count", "-created_at")


def similar_questions(title, limit=5, exclude_pk=None):
    """Existing public questions sharing words with ``title``: the most shared words first."""
    words = terms(title)
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    candidates = public_questions().filter(condition)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    scored = []
    for question in candidates.order_by("-vote_count")[:200]:
        title_words = set(terms(question.title))
        shared = sum(1 for w in words if w in title_words or w in question.title.lower())
        scored.append((shared, question.vote_count, question))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    # A single shared word among many is noise unless the title itself is short.
    needed = 1 if len(words) <= 2 else 2
    return [q for shared, _, q in scored if shared >= needed][:limit]
