"""The next public meeting, for pages outside the forum: {% load forum_meetings %}{% next_meeting facility as meeting %}.

The reports' home page shows it; impact may not import the forum (docs/architecture.md), so the
forum lends its query to the template instead.
"""

from django import template
from django.db.models import Q
from django.utils import timezone

from portal.forums.models import Meeting

register = template.Library()


@register.simple_tag
def next_meeting(facility=None):
    """The next meeting not cancelled and not over (of ``facility`` when given), or None."""
    now = timezone.now()
    meetings = Meeting.objects.select_related("facility").filter(is_cancelled=False).filter(
        Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now)
    )
    if facility is not None:
        meetings = meetings.filter(facility=facility)
    return meetings.order_by("starts_at").first()
