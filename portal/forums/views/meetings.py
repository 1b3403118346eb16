"""Public forum meetings: list, page (agenda, ranked questions or frozen docket, minutes),
iCal download, and the staff page for outcomes and minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.accounts import roles
from portal.core.pagecache import cached_page

from .. import meetings as meeting_services
from ..forms import MinutesForm, OutcomeForm
from ..ical import meeting_ics
from ..models import Meeting, Vote
from ..rendering import render_markdown
from .common import error_text


@require_safe
@cached_page("forum")
def meeting_list(request):
    now = timezone.now()
    meetings = Meeting.objects.select_related("facility")
    return render(
        request,
        "forums/meeting_list.html",
        {
            "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
            "past": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:50],
        },
    )


@require_safe
@cached_page("forum")
def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("facility"), pk=pk)
    docket = meeting.docket.select_related("question__author") if meeting.docket_frozen_at else None
    ranked = None if docket is not None else meeting_services.ranked_questions(meeting).select_related("author")
    voted = set()
    if request.user.is_authenticated:
        voted = set(Vote.objects.filter(user=request.user, question__meeting=meeting).values_list("question_id", flat=True))
    context = {
        "meeting": meeting,
        "agenda_html": render_markdown(meeting.agenda),
        "minutes_html": render_markdown(meeting.minutes),
        "docket": docket,
        "ranked": ranked,
        "voted": voted,
        "can_record": roles.can_record_meetings(request.user),
        "next_meeting": meeting_services.next_meeting(meeting),
        "today": timezone.localdate(),
    }
    return render(request, "forums/meeting_detail.html", context)


@require_safe
@cached_page("forum")
def meeting_ical(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("facility"), pk=pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request, pk):
    """Staff: record the outcome of each docket question and the minutes."""
    if not roles.can_record_meetings(request.user):
        raise PermissionDenied("Only staff may record meeting outcomes.")
    meeting = get_object_or_404(Meeting.objects.select_related("facility"), pk=pk)
    items = list(meeting.docket.select_related("question"))
    data = request.POST if request.method == "POST" else None
    forms = [(item, OutcomeForm(data, instance=item, prefix=f"item-{item.pk}")) for item in items]
    minutes_form = MinutesForm(data, initial={"minutes": meeting.minutes}, prefix="minutes")
    if request.method == "POST":
        valid = all(form.is_valid() for _item, form in forms)
        minutes_given = minutes_form.is_valid()
        if valid:
            changed = 0
            try:
                for item, form in forms:
                    cleaned = form.cleaned_data
                    changed += meeting_services.record_outcome(
                        item, request.user, cleaned["outcome"], cleaned["outcome_note"], cleaned["written_answer_due"]
                    )
                if minutes_given:
                    changed += meeting_services.record_minutes(meeting, request.user, minutes_form.cleaned_data["minutes"])
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Saved (%(n)d change(s)).") % {"n": changed})
                return redirect(meeting.get_absolute_url())
        return render(request, "forums/meeting_record.html", {"meeting": meeting, "forms": forms, "minutes_form": minutes_form}, status=400)
    return render(request, "forums/meeting_record.html", {"meeting": meeting, "forms": forms, "minutes_form": minutes_form})
