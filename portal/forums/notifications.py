"""E-mails about questions: the official answer, and moderation decisions to the author.

Notification rows are the outbox. queue_*() writes one row per person inside the event's own
transaction; deliver() claims due rows and sends each once, in the request after commit or in a
Celery worker, and the periodic task forums.deliver_notifications picks up whatever is left
(broker down, SMTP refusing, a worker killed mid-send). A failed send is retried with backoff
up to MAX_ATTEMPTS times; the row keeps the last error for the admin.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Answer, Follow, ModerationAction, Notification, Vote

log = logging.getLogger(__name__)

Kind = Notification.Kind

# Eight tries over about four hours (1, 2, 4, ... 64 minutes apart) outlast an SMTP relay's restart.
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
# How long a claimed row is left to its sender; if the sender dies, the row is due again after this.
CLAIM_SECONDS = 600


# --- Writing the outbox (inside the event's transaction) ----------------------------------------


def answer_recipients(question):
    """The author, every voter and every follower: each person once, never the answerer."""
    answer = Answer.objects.filter(question=question).select_related("author").first()
    ids = {question.author_id}
    ids.update(Vote.objects.filter(question=question).values_list("user_id", flat=True))
    ids.update(Follow.objects.filter(question=question).values_list("user_id", flat=True))
    if answer is not None:
        ids.discard(answer.author_id)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk"))


def _queue(users, question, kind, event=""):
    # ignore_conflicts: a row that exists already (a rerun, a second call) is left as it is.
    Notification.objects.bulk_create(
        [Notification(user=user, question=question, kind=kind, event=event) for user in users], ignore_conflicts=True
    )
    return len(users)


def queue_answer_notifications(question):
    """Write an outbox row for everyone to tell about the answer. Returns how many people."""
    return _queue(answer_recipients(question), question, Kind.ANSWERED)


def queue_moderation_notice(action):
    """Write the outbox row telling the author about a decision on their post."""
    post = action.question or action.reply
    if post is None or not post.author.email or not post.author.is_active:
        return 0
    return _queue([post.author], action.question or action.reply.question, Kind.MODERATED, event=str(action.pk))


# --- Draining it ---------------------------------------------------------------------------------


def _due(now):
    return Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now)


def _claim(now, limit, filters):
    """Take up to ``limit`` due rows for this sender. A row is claimed by one sender only."""
    due = _due(now).filter(**filters).order_by("pk")
    hold = {"attempts": F("attempts") + 1, "next_attempt_at": now + dt.timedelta(seconds=CLAIM_SECONDS)}
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another sender is claiming right now are skipped, not waited for.
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Notification.objects.filter(pk__in=ids).update(**hold)
        return ids
    # SQLite has no row locks: the conditional UPDATE is the claim, and only one sender's matches.
    return [pk for pk in due.values_list("pk", flat=True)[:limit] if _due(now).filter(pk=pk).update(**hold)]


def _compose(row):
    """The subject and body for a row, from the current state of its event; None if it is gone."""
    url = settings.SITE_URL
    if row.kind == Kind.ANSWERED:
        answer = Answer.objects.filter(question=row.question).first()
        if answer is None:
            return None
        context = {"question": row.question, "answer": answer, "url": url + row.question.get_absolute_url(), "recipient": row.user}
        return _("Answered: %(title)s") % {"title": row.question.title}, render_to_string("forums/email/answered.txt", context)
    action = ModerationAction.objects.select_related("question", "reply__question").filter(pk=row.event or None).first()
    post = action and (action.question or action.reply)
    if post is None:
        return None
    context = {
        "action": action,
        "post": post,
        "question": row.question,
        "is_reply": action.reply_id is not None,
        "url": url + post.get_absolute_url(),
        "recipient": row.user,
    }
    return _("About your post: %(title)s") % {"title": row.question.title}, render_to_string("forums/email/moderated.txt", context)


def _send(pk):
    """Send one claimed row; record success, or the error and when to try again. Never raises."""
    row = Notification.objects.select_related("user", "question").get(pk=pk)
    try:
        with translation.override(row.user.language):  # the recipient's language, not the sender's
            message = _compose(row)
        if message is None or not row.user.email or not row.user.is_active:
            # Nothing left to say (answer or decision deleted, account closed): stop trying.
            Notification.objects.filter(pk=pk).update(attempts=MAX_ATTEMPTS, last_error="nothing to send any more")
            return 0
        send_mail(message[0], message[1], None, [row.user.email])
    except Exception as exc:  # noqa: BLE001 - SMTP, templates, anything: the row stays for a retry
        delay = min(FIRST_RETRY_SECONDS * 2 ** (row.attempts - 1), MAX_RETRY_SECONDS)
        Notification.objects.filter(pk=pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000], next_attempt_at=timezone.now() + dt.timedelta(seconds=delay)
        )
        give_up = row.attempts >= MAX_ATTEMPTS
        log.warning("notification %s not sent (try %s of %s%s): %s", pk, row.attempts, MAX_ATTEMPTS, ", giving up" if give_up else "", exc)
        return 0
    Notification.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
    return 1


def deliver(batch=100, **filters):
    """Send the outbox rows that are due (optionally only those matching ``filters``). Returns how many were sent."""
    sent = 0
    # Claim in batches so a long recipient list is not held by one sender; a row that fails is
    # not due again within this loop (its retry is in the future), so the loop ends.
    while ids := _claim(timezone.now(), batch, filters):
        sent += sum(_send(pk) for pk in ids)
    return sent


def send_answer_notifications(question_id):
    """Send the queued e-mails about a question's answer. Returns how many were sent."""
    return deliver(question_id=question_id, kind=Kind.ANSWERED)


def send_moderation_notice(action_id):
    """Send the queued e-mail about one moderation decision. Returns 1 if it was sent."""
    return deliver(kind=Kind.MODERATED, event=str(action_id))
