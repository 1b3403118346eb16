"""Permission checks for templates: {% load forum_roles %} … {% if user|can_moderate %}.

The same helpers as the services (portal.accounts.roles), so a page never offers what the verb refuses.
"""

from django import template

from portal.accounts import roles

register = template.Library()

register.filter("can_moderate", roles.can_moderate)
register.filter("can_close", roles.can_close)
register.filter("can_answer", roles.can_answer)
register.filter("can_record_meetings", roles.can_record_meetings)
