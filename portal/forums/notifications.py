"""E-mails about questions: the official answer, and moderation decisions to the author.

Each e-mail is a Notification row claimed before sending (sent_at set by a conditional update),
so a rerun, a retry or two workers never mail the same person twice about the same event.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Answer, Follow, ModerationAction, Notification, Question, Vote

log = logging.getLogger(__name__)


def _deliver(notification, subject, template, context):
    """Claim the row, send, and give the claim back if sending failed so a retry can try again."""
    claimed = Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    try:
        send_mail(subject, render_to_string(template, context), None, [notification.user.email])
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(sent_at=None)
        log.exception("could not send notification %s", notification.pk)
        raise
    return True


def _notification(user, question, kind, event=""):
    try:
        with transaction.atomic():
            row, _ = Notification.objects.get_or_create(user=user, question=question, kind=kind, event=event)
    except IntegrityError:
        row = Notification.objects.get(user=user, question=question, kind=kind, event=event)
    return row


def answer_recipients(question):
    """The author, every voter and every follower: each person once, never the answerer."""
    answer = Answer.objects.filter(question=question).select_related("author").first()
    ids = {question.author_id}
    ids.update(Vote.objects.filter(question=question).values_list("user_id", flat=True))
    ids.update(Follow.objects.filter(question=question).values_list("user_id", flat=True))
    if answer is not None:
        ids.discard(answer.author_id)
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk"))


def send_answer_notifications(question_id):
    """Mail everyone who wants to know that the question is answered. Returns how many were sent."""
    question = Question.objects.select_related("author").filter(pk=question_id).first()
    if question is None or not hasattr(question, "answer"):
        return 0
    sent = 0
    context = {"question": question, "answer": question.answer, "url": settings.SITE_URL + question.get_absolute_url()}
    for user in answer_recipients(question):
        row = _notification(user, question, Notification.Kind.ANSWERED)
        context["recipient"] = user
        sent += _deliver(row, f"Answered: {question.title}", "forums/email/answered.txt", context)
    return sent


def send_moderation_notice(action_id):
    """Tell the author why their post was hidden or rejected, and how to appeal."""
    action = ModerationAction.objects.select_related("question", "reply__question").filter(pk=action_id).first()
    if action is None:
        return 0
    post = action.question or action.reply
    if post is None:
        return 0
    question = action.question or action.reply.question
    author = post.author
    if not author.email or not author.is_active:
        return 0
    row = _notification(author, question, Notification.Kind.MODERATED, event=str(action.pk))
    context = {
        "action": action,
        "post": post,
        "question": question,
        "is_reply": action.reply_id is not None,
        "url": settings.SITE_URL + (post.get_absolute_url()),
        "recipient": author,
    }
    return int(_deliver(row, f"About your post: {question.title}", "forums/email/moderated.txt", context))
