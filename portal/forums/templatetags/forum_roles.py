"""Role checks for templates: {% load forum_roles %} … {% if user|is_moderator %}."""

from django import template

from portal.accounts import roles

register = template.Library()


@register.filter
def is_moderator(user):
    return roles.is_moderator(user)


@register.filter
def is_staff_member(user):
    return roles.is_staff_member(user)
