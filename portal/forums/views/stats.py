"""Response-time statistics per month: how long residents wait for an official answer."""

import statistics
from collections import OrderedDict

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from portal.core.pagecache import cached_page

from ..models import PUBLIC_STATUSES, PostStatus, Question


def monthly_response_times(now=None):
    """One row per month of asking (local time): asked, answered, median days, within target, overdue."""
    now = now or timezone.now()
    target_days = settings.FORUM_ANSWER_TARGET_DAYS
    months = OrderedDict()
    questions = Question.objects.filter(status__in=PUBLIC_STATUSES).only("created_at", "answered_at", "status").order_by("-created_at")
    for q in questions:
        key = timezone.localtime(q.created_at).date().replace(day=1)
        row = months.setdefault(key, {"month": key, "asked": 0, "answered": 0, "days": [], "within": 0, "overdue": 0, "open": 0})
        row["asked"] += 1
        if q.answered_at:
            days = (q.answered_at - q.created_at).total_seconds() / 86400
            row["answered"] += 1
            row["days"].append(days)
            row["within"] += days <= target_days
        elif q.status == PostStatus.PUBLISHED:
            row["open"] += 1
            row["overdue"] += (now - q.created_at).days >= target_days
    result = []
    for row in months.values():
        days = row.pop("days")
        row["median_days"] = round(statistics.median(days), 1) if days else None
        row["slowest_days"] = round(max(days), 1) if days else None
        row["within_pct"] = round(100 * row["within"] / row["answered"]) if row["answered"] else None
        result.append(row)
    return result


@require_safe
@cached_page("forum")
def response_times(request):
    return render(
        request,
        "forums/stats.html",
        {"months": monthly_response_times(), "target_days": settings.FORUM_ANSWER_TARGET_DAYS},
    )
