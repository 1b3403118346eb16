"""Writing the audit log: record(), snapshots of rows before and after, and the door in use.

Each staff verb is one service function (impact.services, portal.forums.services, …) that checks
the role's permission and calls record() once. The function does not know which door called it:
the door is the context, set once at each entrance —

- DoorMiddleware (``portal.audit.middleware``): ``admin`` under /admin/, ``api`` under /api/,
  ``page`` elsewhere, with the request (for the caller's IP address);
- management commands: ``with through(StaffAction.Door.CLI, actor_name=…)``;
- everything else (Celery tasks, beat): ``system``.

So the same publish writes the same row whether it came from the admin, the API, the command line
or a page, and only the door column differs. Entries recorded inside one door are collected on
the context, so the admin's generic mixin (portal.staff.audited) can tell that a service already
wrote the row and not write a second one.
"""

import contextlib
import contextvars
import datetime as dt
import decimal
import getpass
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.core.ratelimit import client_ip

from .models import StaffAction

Door = StaffAction.Door

# Never copied into the log: password hashes, API tokens, OTP secrets.
SECRET_FIELDS = {"password", "key", "secret", "token"}
MAX_TEXT = 500
MAX_ROWS_PER_ACTION = 1000
MASKED = "•••"


def _plain(value):
    """A JSON-friendly, bounded copy of a field value."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (dict, list, tuple)):
        text = repr(value)
        return value if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… ({len(text)} characters)"
    text = str(value)
    return text if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… ({len(text)} characters)"


def snapshot(obj):
    """The row's concrete fields (and many-to-many ids) as a dict of JSON values."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.BinaryField):
            continue
        value = field.value_from_object(obj)
        data[field.attname] = MASKED if field.name in SECRET_FIELDS and value else _plain(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def reread(obj):
    """The row as the database holds it now, or None if it is gone."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def diff(before, after):
    """Only the fields that changed: (before, after). Adds and deletes keep the whole row."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class Entrance:
    """The door an action came through, the request if there is one, and what was recorded."""

    door: str
    request: object = None
    actor_name: str = ""
    entries: list = field(default_factory=list)


_current = contextvars.ContextVar("audit_entrance", default=None)


@contextlib.contextmanager
def through(door, request=None, *, actor_name=""):
    """Everything recorded inside is marked as coming through ``door`` (a StaffAction.Door)."""
    if door not in Door.values:
        raise ValueError(f"Unknown door {door!r}; one of {', '.join(Door.values)}.")
    entrance = Entrance(door, request, actor_name)
    token = _current.set(entrance)
    try:
        yield entrance
    finally:
        _current.reset(token)


def shell_user():
    """Who runs a management command, as the operating system says (for the CLI door's rows)."""
    try:
        return f"{getpass.getuser()} (shell)"
    except (KeyError, OSError):
        return "shell"


def entrance():
    """The current door; ``system`` outside any (a Celery task, beat, a test calling a service)."""
    return _current.get() or Entrance(Door.SYSTEM)


def recorded():
    """How many rows the current entrance has written so far."""
    return len(entrance().entries)


def record(actor, kind, obj=None, before=None, after=None, *, name="", reason="", request=None, model=None, object_id=None, object_repr=None):
    """Write one audit-log row; ``before``/``after`` are snapshots, reduced to the changed fields.

    Pass ``model``, ``object_id`` and ``object_repr`` for a row that no longer exists. The door
    and (unless ``request`` is given) the request come from the current entrance.
    """
    here = entrance()
    request = request if request is not None else here.request
    before, after = diff(before, after)
    target_model = model or (type(obj) if obj is not None else None)
    ip = client_ip(request) if request is not None else "unknown"
    person = actor if getattr(actor, "is_authenticated", False) else None
    entry = StaffAction.objects.create(
        actor=person,
        actor_name=person.get_username() if person is not None else here.actor_name,
        door=here.door,
        kind=kind,
        name=name,
        content_type=ContentType.objects.get_for_model(target_model, for_concrete_model=False) if target_model else None,
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None and obj.pk is not None else "")),
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:300],
        before=before,
        after=after,
        reason=reason or "",
        ip=None if ip == "unknown" else ip,
    )
    here.entries.append(entry)
    return entry


