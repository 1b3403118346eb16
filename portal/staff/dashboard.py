"""The figures on the admin index: what needs a person's attention today.

Each section is shown only to roles that can act on it. The broker/worker check talks to the
network, so its answer is cached for HEALTH_CACHE_SECONDS and the index stays fast.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from portal.core import ratelimit

log = logging.getLogger(__name__)

HEALTH_CACHE_KEY = "staff:service-health"
HEALTH_CACHE_SECONDS = 10
FAILED_RUN_DAYS = 7


def moderation_summary(now=None):
    """Posts awaiting review (and the oldest one's age), flagged posts, overdue questions."""
    from portal.forums.models import PostStatus, Question, Reply, overdue_questions

    now = now or timezone.now()
    pending = Q(status=PostStatus.PENDING)
    oldest = [
        model.objects.filter(pending).aggregate(at=Min("created_at"))["at"] for model in (Question, Reply)
    ]
    oldest = min((at for at in oldest if at is not None), default=None)
    return {
        "pending": Question.objects.filter(pending).count() + Reply.objects.filter(pending).count(),
        "oldest_pending_at": oldest,
        "oldest_pending_age": (now - oldest) if oldest else None,
        "flagged": Question.objects.filter(open_flag_count__gt=0).count() + Reply.objects.filter(open_flag_count__gt=0).count(),
        "overdue": overdue_questions(Question.objects.all(), now).count(),
        "answer_target_days": settings.FORUM_ANSWER_TARGET_DAYS,
    }


def reports_summary(now=None):
    """Failed runs of the last seven days, active runs, and the latest published version per facility."""
    from impact.models import ReportRun
    from impact.services import latest_versions

    now = now or timezone.now()
    failed = ReportRun.objects.filter(
        status=ReportRun.Status.FAILED, created_at__gte=now - dt.timedelta(days=FAILED_RUN_DAYS)
    ).select_related("report__facility")
    latest = {}
    # latest_versions() is newest period first, so the first one seen per facility is its latest.
    for version in latest_versions():
        latest.setdefault(version.report.facility_id, version)
    return {
        "failed_runs": list(failed[:10]),
        "failed_count": failed.count(),
        "failed_days": FAILED_RUN_DAYS,
        "active_count": ReportRun.objects.filter(status__in=[ReportRun.Status.PENDING, ReportRun.Status.RUNNING]).count(),
        "latest_versions": sorted(latest.values(), key=lambda v: v.report.facility.name),
    }


def check_services():
    """The broker (a connection made now) and the workers' heartbeats per queue
    (portal.core.health, the same checks as /healthz)."""
    from portal.core import health

    broker_ok, broker_detail = health.check_broker()
    workers_ok, queues = health.check_workers()
    return {"broker_ok": broker_ok, "broker_error": "" if broker_ok else broker_detail, "workers_ok": workers_ok,
            "queues": queues, "checked_at": timezone.now()}


def service_health():
    """check_services(), cached for a few seconds (in process memory while Redis is down, the
    moment staff most need this panel)."""
    cache = ratelimit.cache_with_fallback
    health = cache.get(HEALTH_CACHE_KEY)
    if health is None:
        health = check_services()
        cache.set(HEALTH_CACHE_KEY, health, HEALTH_CACHE_SECONDS)
    return health


def summary(user):
    """The dashboard sections this person may see."""
    from portal.accounts import roles

    data = {}
    if user.has_perm("forums.view_question") or roles.can_moderate(user):
        # The figures link to the forum's moderation queue for those who may use it.
        data["moderation"] = {**moderation_summary(), "can_moderate": roles.can_moderate(user)}
    if user.has_perm("impact.view_reportrun"):
        data["reports"] = reports_summary()
    data["health"] = service_health()
    if user.has_perm("audit.view_staffaction"):
        from portal.audit.models import StaffAction

        data["recent_actions"] = list(StaffAction.objects.select_related("actor")[:8])
    return data
