"""Roles: who may do what, in one place. A role is a Django group; what it may do is the group's
Django permissions, set from the table below by data migrations.

resident       anyone who signed up; may ask, reply, vote, follow and flag
moderator      the forum: questions, replies, flags, appeals (fields of questions and replies),
               meetings and their dockets
staff          the forum's "staff" group: answers questions officially and records meeting
               minutes and outcomes, so it sees questions and meetings
analyst        the facility model (facilities, parts, sources, assumptions, scenarios), reports:
               compute = add a run, retry = change a run, publish = add a version; their downloads;
               and the monthly report schedule (celery beat)
administrator  accounts, groups (roles), API tokens, two-factor devices, the staff audit log, and
               residents' report alerts (view and remove)

Superusers may do everything. The data migrations staff.0002 … apply the table;
apply_role_permissions() is safe to run again (it sets each group's permissions to exactly this
list), so a later migration can call it after the table changes.
"""

RESIDENT = "resident"
MODERATOR = "moderator"
STAFF = "staff"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"
ALL_ROLES = (RESIDENT, MODERATOR, STAFF)
FORUM_STAFF = STAFF

# Groups created elsewhere in the project whose members act as staff in the forum.
STAFF_GROUPS = (STAFF, ANALYST, ADMINISTRATOR)
MODERATOR_GROUPS = (MODERATOR, STAFF, ADMINISTRATOR)

CRUD = ("view", "add", "change", "delete")

ROLE_PERMISSIONS = {
    MODERATOR: {
        "forums": {
            "question": ("view", "change"),
            "reply": ("view", "change"),
            "flag": ("view", "change"),
            "answer": ("view",),
            "moderationaction": ("view",),
            "meeting": CRUD[:3],
            "docketitem": ("view", "change"),
        },
    },
    ANALYST: {
        "impact": {
            **{
                model: CRUD
                for model in (
                    "source", "facility", "computefleet", "fleetstage", "planneddowntime", "cooling", "gridsupply",
                    "gridcontract", "gridemissionrate", "generatorgroup", "generatoremissionfactor",
                    "batterystorage", "assumption", "scenario",
                )
            },
            "report": ("view",),
            "reportrun": ("view", "add", "change"),
            "reportversion": ("view", "add"),
            "reportartifact": ("view",),
        },
        # The monthly report schedule (celery beat) is the analysts' to edit.
        "django_celery_beat": {"periodictask": ("view", "change"), "crontabschedule": ("view", "add", "change")},
    },
    ADMINISTRATOR: {
        "accounts": {"user": CRUD},
        "auth": {"group": CRUD, "permission": ("view",)},
        "authtoken": {"tokenproxy": ("view", "add", "delete"), "token": ("view", "add", "delete")},
        "otp_totp": {"totpdevice": CRUD},
        "audit": {"staffaction": ("view",)},
        # Residents' report alerts are personal data: administrators may see and remove them.
        "impact": {"reportsubscription": ("view", "delete")},
    },
    FORUM_STAFF: {
        "forums": {
            "question": ("view", "change"),
            "reply": ("view",),
            "answer": ("view",),
            "meeting": CRUD[:3],
            "docketitem": ("view", "change"),
        },
    },
}


def codenames(role):
    """(app_label, codename) pairs of a role, e.g. ("impact", "add_reportrun")."""
    return [
        (app_label, f"{verb}_{model}")
        for app_label, models in ROLE_PERMISSIONS[role].items()
        for model, verbs in models.items()
        for verb in verbs
    ]


def apply_role_permissions(Group, Permission, *, skip_missing=False):
    """Create the role groups and give each exactly its permissions. Returns the groups.

    A permission that does not exist is an error, unless ``skip_missing`` (migrations: a model the
    table names may not exist yet at that point of the history; a later migration grants it).
    """
    groups = {}
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for app_label, codename in codenames(role):
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                if skip_missing:
                    continue
                raise LookupError(f"Permission {app_label}.{codename} for the {role} role does not exist.")
            wanted.append(permission)
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def apply_role_permissions_in_migration(apps):
    """For data migrations: make the permissions of every model known so far, then apply the table.

    Django creates permissions only after all migrations have run, so a migration that assigns
    them must create them first. The table is today's, the models are those of this point in the
    migration history: permissions of models that come later are left for the migration that
    follows them (staff.0006 after the audit log's move, and so on).
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    return apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)


# --- Predicates -----------------------------------------------------------------------------


def _in_groups(user, names):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached per user object: templates ask this several times per page.
    cache = getattr(user, "_role_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cache
    return bool(cache.intersection(names))


def is_moderator(user):
    """May review, hide, reject and restore posts (moderators and staff)."""
    return _in_groups(user, MODERATOR_GROUPS)


def is_staff_member(user):
    """May give official answers and record meeting outcomes."""
    return _in_groups(user, STAFF_GROUPS)


def can_post(user):
    """Signed in with a confirmed, active account."""
    return getattr(user, "is_authenticated", False) and user.is_active
