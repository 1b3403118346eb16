from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts with their public name, neighbourhood, verification and trust."""

    list_display = ("username", "email", "display_name", "neighbourhood", "is_active", "email_verified_at", "is_trusted", "is_staff")
    list_filter = ("is_active", "is_trusted", "is_staff", "groups")
    search_fields = ("username", "email", "display_name", "neighbourhood")
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Portal", {"fields": ("display_name", "neighbourhood", "email_verified_at", "is_trusted")}),
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
