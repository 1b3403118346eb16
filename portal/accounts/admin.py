import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Permission
from django.http import HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts with their public name, neighbourhood, verification and trust."""

    list_display = ("username", "email", "display_name", "neighbourhood", "is_active", "email_verified_at", "is_trusted", "is_staff")
    list_filter = ("is_active", "is_trusted", "is_staff", "groups")
    search_fields = ("username", "email", "display_name", "neighbourhood")
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Portal", {"fields": ("display_name", "neighbourhood", "language", "email_verified_at", "is_trusted")}),
    )
    actions = ["trust", "untrust"]

    @admin.action(description="Let the selected accounts post without review")
    def trust(self, request, queryset):
        changed = sum(services.set_trusted(user, True) for user in queryset)
        self.message_user(request, f"{changed} account(s) are now trusted.")

    @admin.action(description="Send the selected accounts' posts to review again")
    def untrust(self, request, queryset):
        changed = sum(services.set_trusted(user, False) for user in queryset)
        self.message_user(request, f"{changed} account(s) are no longer trusted.")


class ApiTokenForm(forms.ModelForm):
    """A new token: its user, what it is for, its scopes (from the user's own permissions) and lifetime."""

    scopes = forms.MultipleChoiceField(
        choices=(), widget=FilteredSelectMultiple("scopes", is_stacked=False),
        help_text="Permissions the token may use; each must be one of the user's own.",
    )
    days = forms.IntegerField(min_value=1, max_value=366, initial=90, help_text="Days until the token expires.")

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Permission.objects.values_list("content_type__app_label", "codename").order_by("content_type__app_label", "codename")
        self.fields["scopes"].choices = [(f"{app}.{code}", f"{app}.{code}") for app, code in names]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("days"):
            self.instance.expires_at = timezone.now() + dt.timedelta(days=cleaned["days"])
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Scoped API tokens: issued here (the key is shown once), listed, revoked; never edited."""

    list_display = ("name", "prefix", "user", "scope_list", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "prefix", "scope_list", "created_at", "expires_at", "last_used_at", "revoked_at")
    fields = ("name", *readonly_fields)
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenForm
            kwargs["fields"] = ("user", "name", "scopes", "days")
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("user", "name", "scopes", "days") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def save_model(self, request, obj, form, change):
        if not change:
            # Only the hash is saved; the key rides on the request to response_add, which shows it once.
            request._issued_api_key = obj.set_new_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_issued_api_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request), "title": "API token issued", "token": obj, "key": key,
            "opts": self.opts, "changelist_url": reverse("admin:accounts_apitoken_changelist"),
        }
        return HttpResponse(ISSUED_PAGE.render(context, request))

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(token.revoke() for token in queryset)
        self.message_user(request, f"{revoked} token(s) revoked.")


# The one page that shows a key: right after it is issued, never again (only its hash is stored).
ISSUED_PAGE = engines["django"].from_string("""{% extends "admin/base_site.html" %}
{% block content %}
<p>The key of <strong>{{ token }}</strong> for {{ token.user.username }} (scopes {{ token.scopes|join:", " }},
expires {{ token.expires_at|date:"Y-m-d" }}). Copy it now: it is not stored and cannot be shown again.</p>
<p><code>{{ key }}</code></p>
<p>Send it as <code>Authorization: Token &lt;key&gt;</code>.</p>
<p><a href="{{ changelist_url }}">Back to the API tokens</a></p>
{% endblock %}
""")
