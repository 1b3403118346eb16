"""Small helpers shared by the forum views."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language


def safe_url(obj):
    """obj.get_absolute_url(), or "" while the page it points at does not exist yet."""
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""


def chart_for(question):
    """The ReportChart a question points at, with a URL for its image (or None)."""
    if not question.report_version_id or not question.chart_key:
        return None
    ReportChart = apps.get_model("impact", "ReportChart")
    # One chart per language since issue 14: the reader's, else the English one every run has.
    language = get_language()
    found = ReportChart.objects.filter(run_id=question.report_version.run_id, key=question.chart_key,
                                       language__in={language, "en"})
    chart = max(found, key=lambda c: c.language == language, default=None)
    if chart is not None:
        chart.image_url = safe_url(chart)
    return chart


def back(request, fallback):
    """Redirect to the page the form was on, if it is on this site."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def error_text(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do that."


def limited(request, message, template="forums/limited.html", context=None):
    """The over-limit answer: HTTP 429 with a clear message, keeping whatever was typed."""
    context = dict(context or {}, limit_message=message)
    return render(request, template, context, status=429)


def refused(request, exc, fallback):
    """Turn a PermissionDenied / ValidationError from a service into a message and a redirect."""
    messages.error(request, error_text(exc))
    return back(request, fallback)


__all__ = ["PermissionDenied", "ValidationError", "back", "chart_for", "error_text", "limited", "refused", "safe_url"]
