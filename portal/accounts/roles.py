"""Roles: who may do what, in one place. A role is a Django group; what it may do is the group's
Django permissions, set from the table below by data migrations. Code asks permissions
(``user.has_perm``), never group names: the helpers at the end say which permission each verb needs.

resident       anyone who signed up; may ask, reply, vote, follow and flag
moderator      the forum: approves, hides, rejects and restores posts, handles flags and appeals,
               closes and reopens questions; in the admin, questions, replies, flags, meetings
               and their dockets
staff          the forum's "staff" group: all of the moderator's, plus official answers and
               meeting minutes and outcomes; cancels meetings
analyst        the facility model (facilities, parts, sources, assumptions, scenarios), reports:
               compute = add a run, retry = change a run, publish = add a version; their downloads;
               measured data: import = add a measured dataset;
               and the monthly report schedule (celery beat). In the forum, as staff do: official
               answers, minutes and outcomes, closing questions (no moderation)
administrator  accounts, groups (roles), API tokens, two-factor devices, the whole staff audit log, and
               residents' report alerts (view and remove). In the forum, what staff may do.

Moderators, staff and analysts read the audit log rows of their own actions (audit.view_own_staffaction).

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

# A model's verbs: Django's four (view_question, …) or the codename of a permission the model
# declares in its Meta (moderate_post, …).
CRUD = ("view", "add", "change", "delete")

ROLE_PERMISSIONS = {
    MODERATOR: {
        "forums": {
            "question": ("view", "change", "moderate_post", "close_question"),
            "reply": ("view", "change"),
            "flag": ("view", "change"),
            "answer": ("view",),
            "meeting": CRUD[:3],
            "docketitem": ("view", "change"),
        },
        # Their own trail in the audit log (administrators read everyone's).
        "audit": {"staffaction": ("view_own_staffaction",)},
    },
    ANALYST: {
        "impact": {
            **{
                model: CRUD
                for model in (
                    "source", "facility", "computefleet", "fleetstage", "planneddowntime", "cooling", "gridsupply",
                    "gridcontract", "gridemissionrate", "generatorgroup", "generatoremissionfactor",
                    "batterystorage", "assumption", "scenario", "airpermit", "permitlimit",
                )
            },
            "report": ("view",),
            "reportrun": ("view", "add", "change"),
            "reportversion": ("view", "add"),
            "reportartifact": ("view",),
            # Measured data (issue 15): import = add a dataset; datasets are never edited, only superseded.
            "measureddataset": ("view", "add"),
        },
        # The monthly report schedule (celery beat) is the analysts' to edit.
        "django_celery_beat": {"periodictask": ("view", "change"), "crontabschedule": ("view", "add", "change")},
        # Analysts count as forum staff on the site (no admin pages of the forum).
        "forums": {"question": ("close_question", "answer_question"), "meeting": ("record_meeting_outcomes", "cancel_meeting")},
        "audit": {"staffaction": ("view_own_staffaction",)},
    },
    ADMINISTRATOR: {
        "accounts": {"user": CRUD},
        "auth": {"group": CRUD, "permission": ("view",)},
        "authtoken": {"tokenproxy": ("view", "add", "delete"), "token": ("view", "add", "delete")},
        "otp_totp": {"totpdevice": CRUD},
        "audit": {"staffaction": ("view",)},
        # Residents' report alerts are personal data: administrators may see and remove them.
        "impact": {"reportsubscription": ("view", "delete")},
        # On the forum's pages administrators do what forum staff do and moderate.
        "forums": {
            "question": ("moderate_post", "close_question", "answer_question"),
            "meeting": ("record_meeting_outcomes", "cancel_meeting"),
        },
    },
    FORUM_STAFF: {
        "forums": {
            "question": ("view", "change", "moderate_post", "close_question", "answer_question"),
            "reply": ("view",),
            "answer": ("view",),
            "meeting": (*CRUD[:3], "record_meeting_outcomes", "cancel_meeting"),
            "docketitem": ("view", "change"),
        },
        "audit": {"staffaction": ("view_own_staffaction",)},
    },
}


def codenames(role):
    """(app_label, codename) pairs of a role, e.g. ("impact", "add_reportrun"), ("forums", "moderate_post")."""
    return [
        (app_label, f"{verb}_{model}" if verb in CRUD else verb)
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


# --- What each verb needs ------------------------------------------------------------------
# The service of each staff verb checks its permission, whatever the door (admin, API, CLI, page);
# pages, templates and the admin ask the same helpers to show or hide what a person may not do.
# portal/core/access.py names the same permission strings for its route policies.
#
#   forums.moderate_post            approve, hide, reject, restore a post; dismiss its flags; deny an
#                                   appeal; edit someone else's question; see posts off the site
#   forums.close_question           close and reopen a question
#   forums.answer_question          give or revise the official answer (and "answered live")
#   forums.record_meeting_outcomes  the docket: record its outcomes and the minutes; freeze it or
#                                   carry its questions over by hand (the hourly job needs none)
#   forums.add_meeting              schedule a meeting
#   forums.change_meeting           change a meeting's details (title, time, place, agenda)
#   forums.cancel_meeting           cancel a meeting

MODERATE_POSTS = "forums.moderate_post"
CLOSE_QUESTIONS = "forums.close_question"
ANSWER_QUESTIONS = "forums.answer_question"
RECORD_MEETINGS = "forums.record_meeting_outcomes"
SCHEDULE_MEETINGS = "forums.add_meeting"
CHANGE_MEETINGS = "forums.change_meeting"
CANCEL_MEETINGS = "forums.cancel_meeting"


def holds(user, permission):
    """An active, signed-in account whose role (or superuser status) gives ``permission``."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(permission))


def require(user, permission, refusal):
    """Raise PermissionDenied with ``refusal`` (and the permission's name) unless ``user`` holds it."""
    from django.core.exceptions import PermissionDenied

    if not holds(user, permission):
        raise PermissionDenied(f"{refusal} (it needs the {permission} permission)")


def can_moderate(user):
    return holds(user, MODERATE_POSTS)


def can_close(user):
    return holds(user, CLOSE_QUESTIONS)


def can_answer(user):
    return holds(user, ANSWER_QUESTIONS)


def can_record_meetings(user):
    return holds(user, RECORD_MEETINGS)


def can_schedule_meetings(user):
    return holds(user, SCHEDULE_MEETINGS)


def can_change_meetings(user):
    return holds(user, CHANGE_MEETINGS)


def can_cancel_meetings(user):
    return holds(user, CANCEL_MEETINGS)


def acts_for_the_portal(user):
    """Moderates or answers for the portal: posts without review, sees posts that are off the
    site, and may say so in a display name."""
    return can_moderate(user) or can_answer(user)


# The names portal/accounts/forms.py asks (its display-name rule); new code uses the helpers above.
is_moderator = can_moderate
is_staff_member = can_answer


def can_post(user):
    """Signed in with a confirmed, active account."""
    return getattr(user, "is_authenticated", False) and user.is_active
