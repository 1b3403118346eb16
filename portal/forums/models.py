"""Questions, replies, votes, follows, official answers, flags, moderation log and meetings.

State changes go through portal.forums.services; nothing here saves a status on its own.
Counters (votes, replies, open flags) are recomputed from rows by services.sync_question().
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    ENERGY = "energy", _("Energy")
    AIR = "air", _("Air")
    WATER = "water", _("Water")
    NOISE = "noise", _("Noise")
    TRAFFIC = "traffic", _("Traffic")
    JOBS = "jobs", _("Jobs")
    OTHER = "other", _("Other")


class Reason(models.TextChoices):
    """Why a post was flagged, hidden or rejected. The first four are what residents may flag for."""

    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive or abusive")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_DATA = "personal_data", _("Personal data about someone")
    DUPLICATE = "duplicate", _("Duplicate of another question")
    OTHER = "other", _("Other (see note)")


FLAG_REASONS = [(r.value, r.label) for r in (Reason.SPAM, Reason.OFFENSIVE, Reason.OFF_TOPIC, Reason.PERSONAL_DATA)]


class PostStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    ANSWERED = "answered", _("Answered")
    HIDDEN = "hidden", _("Hidden")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


PUBLIC_STATUSES = (PostStatus.PUBLISHED, PostStatus.ANSWERED, PostStatus.CLOSED)


class Moderated(models.Model):
    """What questions and replies share: author, Markdown body, status, moderation reason, appeal."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.PENDING, db_index=True)
    # The status to return to when a hidden post is restored.
    status_before_hide = models.CharField(max_length=10, choices=PostStatus.choices, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    reason_note = models.TextField(blank=True, help_text=_("Shown to the author."))
    open_flag_count = models.PositiveIntegerField(default=0, editable=False)
    appeal_text = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES

    @property
    def can_appeal(self):
        return self.status in (PostStatus.HIDDEN, PostStatus.REJECTED) and self.appealed_at is None

    @property
    def appeal_pending(self):
        return self.appealed_at is not None and self.appeal_decided_at is None


def overdue_questions(queryset, now=None):
    """The questions of ``queryset`` still unanswered (published) past FORUM_ANSWER_TARGET_DAYS:
    what the staff dashboard counts and its link lists, the same rule as Question.is_overdue."""
    now = now or timezone.now()
    return queryset.filter(status=PostStatus.PUBLISHED, created_at__lt=now - dt.timedelta(days=settings.FORUM_ANSWER_TARGET_DAYS))


class Question(Moderated):
    """A resident's question, optionally pointing at a report chart and a time window, or a meeting."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions")
    title = models.CharField(max_length=160)
    topic = models.CharField(max_length=10, choices=Topic.choices, default=Topic.OTHER, db_index=True)
    report_version = models.ForeignKey(
        "impact.ReportVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    chart_key = models.SlugField(max_length=40, blank=True, help_text=_("Which chart of the report, e.g. generator-output."))
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True, help_text=_("Inclusive; empty for a single day."))
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions",
        help_text=_("Submitted for this public meeting."),
    )
    vote_count = models.PositiveIntegerField(default=0, editable=False)
    reply_count = models.PositiveIntegerField(default=0, editable=False)
    follower_count = models.PositiveIntegerField(default=0, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_before_close = models.CharField(max_length=10, choices=PostStatus.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-vote_count"])]
        # The forum's staff verbs (portal.accounts.roles says which role holds which).
        # moderate_post covers replies too: one moderator decides on both.
        permissions = [
            ("moderate_post", "Can moderate questions and replies (approve, hide, reject, restore, flags, appeals)"),
            ("close_question", "Can close and reopen questions"),
            ("answer_question", "Can give the official answer"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.window_end and not self.window_start:
            raise ValidationError({"window_start": "Give the first day of the window too."})
        if self.window_start and self.window_end and self.window_end < self.window_start:
            raise ValidationError({"window_end": "The window ends before it starts."})
        if self.chart_key and not self.report_version_id:
            raise ValidationError({"chart_key": "Pick the report the chart belongs to."})

    def get_absolute_url(self):
        return reverse("forums:question", args=[self.pk, slugify(self.title)[:60] or "q"])

    @property
    def waited(self):
        """How long the question has waited for an answer (until answered, or until now)."""
        end = self.answered_at or timezone.now()
        return end - self.created_at

    @property
    def due_at(self):
        return self.created_at + dt.timedelta(days=settings.FORUM_ANSWER_TARGET_DAYS)

    @property
    def is_overdue(self):
        """Unanswered past the public answer-time target (answered late questions show the delay)."""
        if self.status in (PostStatus.PUBLISHED,):
            return timezone.now() > self.due_at
        return False

    @property
    def answered_late(self):
        return self.answered_at is not None and self.answered_at > self.due_at

    @property
    def window_label(self):
        if not self.window_start:
            return ""
        if not self.window_end or self.window_end == self.window_start:
            return self.window_start.strftime("%-d %B %Y")
        return f"{self.window_start:%-d %B %Y} – {self.window_end:%-d %B %Y}"


class Reply(Moderated):
    """A resident's reply under a question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_replies")

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "replies"

    def __str__(self):
        return f"Reply {self.pk} to {self.question}"

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#reply-{self.pk}"


class Answer(models.Model):
    """The official answer to a question, by staff; may cite a published report version."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_answers")
    body = models.TextField(help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    report_version = models.ForeignKey(
        "impact.ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="forum_answers",
        help_text=_("The report version the answer relies on."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    revised_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Answer to {self.question}"

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#answer"


class Vote(models.Model):
    """'I have this question too': one per account and question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_account")]

    def __str__(self):
        return f"{self.user} on {self.question_id}"


class Follow(models.Model):
    """A resident who wants an e-mail when the question is answered."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="one_follow_per_account")]

    def __str__(self):
        return f"{self.user} follows {self.question_id}"


class Flag(models.Model):
    """A resident's report that a question or reply breaks the rules. Exactly one target is set."""

    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_flags")
    reason = models.CharField(max_length=20, choices=FLAG_REASONS)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text=_("Set when a moderator decided."))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(question__isnull=False, reply__isnull=True) | models.Q(question__isnull=True, reply__isnull=False)),
                name="flag_has_one_target",
            ),
            models.UniqueConstraint(fields=["question", "user"], condition=models.Q(reply__isnull=True), name="one_flag_per_question"),
            models.UniqueConstraint(fields=["reply", "user"], condition=models.Q(question__isnull=True), name="one_flag_per_reply"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} by {self.user}"

    @property
    def target(self):
        return self.question or self.reply


class ModerationAction(models.Model):
    """The forum's public moderation record: what was decided about each post, and why.

    Not the audit log: the one audit trail staff read is portal.audit's StaffAction, where every
    staff verb writes one row (who, what, before → after, which door). This record stays beside
    it because the forum's own readers need what the audit log does not keep: the public monthly
    moderation report (/forum/moderation/report/) counts hides, rejections and restores by reason
    code; the author's e-mail about a decision is queued against its row (Notification.event);
    and a post's history on its page includes what no staff member did, an automatic hide by
    residents' flags and the author's appeal. Rows are written by portal.forums.services for
    decisions on posts only.
    """

    class Kind(models.TextChoices):
        # Answer, docket and meeting kinds were written before issue 12; those verbs now write
        # only the audit log, and the kinds stay so that older rows still read.
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        AUTO_HIDE = "auto_hide", _("Hidden by flags")
        REJECT = "reject", _("Rejected")
        RESTORE = "restore", _("Restored")
        DISMISS_FLAGS = "dismiss_flags", _("Flags dismissed")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Reopened")
        ANSWER = "answer", _("Answered")
        REVISE_ANSWER = "revise_answer", _("Answer revised")
        APPEAL = "appeal", _("Appealed by author")
        APPEAL_DENIED = "appeal_denied", _("Appeal denied")
        FREEZE_DOCKET = "freeze_docket", _("Docket frozen")
        RECORD_OUTCOME = "record_outcome", _("Outcome recorded")
        RECORD_MINUTES = "record_minutes", _("Minutes recorded")
        CARRY_OVER = "carry_over", _("Carried over")
        CANCEL_MEETING = "cancel_meeting", _("Meeting cancelled")
        EDIT = "edit", _("Edited by a moderator")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="forum_actions",
        help_text=_("Empty when the portal acted by itself (flags, scheduled jobs)."),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        who = self.actor or "portal"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.get_kind_display()} {self.from_status}→{self.to_status}"

    @property
    def target(self):
        return self.question or self.reply or self.meeting


class Meeting(models.Model):
    """A public forum meeting of a facility; residents submit questions, the top ones form the docket."""

    facility = models.ForeignKey("impact.Facility", on_delete=models.PROTECT, related_name="forum_meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True, help_text=_("Address of the room, if held in person."))
    online_url = models.URLField(blank=True, help_text=_("Link to join online, if any."))
    agenda = models.TextField(blank=True, help_text=_("Markdown. The frozen docket is listed after it."))
    minutes = models.TextField(blank=True, help_text=_("Markdown, recorded after the meeting."))
    is_cancelled = models.BooleanField(default=False)
    docket_frozen_at = models.DateTimeField(null=True, blank=True)
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    carried_over_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        # Scheduling is add_meeting and editing change_meeting (Django's own).
        permissions = [
            ("record_meeting_outcomes", "Can record a meeting's minutes and docket outcomes"),
            ("cancel_meeting", "Can cancel a meeting"),
        ]

    def __str__(self):
        return f"{self.title} ({self.local_start:%-d %b %Y})"

    def clean(self):
        if not self.place and not self.online_url:
            raise ValidationError(_("Give a place, an online link, or both."))
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})

    def get_absolute_url(self):
        return reverse("forums:meeting", args=[self.pk])

    @property
    def zone(self):
        return self.facility.zone

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.zone) if self.ends_at else None

    @property
    def freezes_at(self):
        return self.starts_at - dt.timedelta(days=settings.FORUM_DOCKET_FREEZE_DAYS)

    @property
    def accepts_questions(self):
        return not self.is_cancelled and self.docket_frozen_at is None and timezone.now() < self.freezes_at

    @property
    def is_past(self):
        return (self.ends_at or self.starts_at) < timezone.now()


class DocketItem(models.Model):
    """A question on a meeting's frozen docket, in vote order, and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not recorded yet")
        ANSWERED_LIVE = "answered_live", _("Answered live")
        WRITTEN_ANSWER_DUE = "written_due", _("Written answer due")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
        NOT_REACHED = "not_reached", _("Not reached (carried over)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="docket")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="docket_items")
    position = models.PositiveSmallIntegerField()
    votes_at_freeze = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(blank=True, help_text=_("What was said, or why it is out of scope."))
    written_answer_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "question"], name="question_once_per_docket"),
            models.UniqueConstraint(fields=["meeting", "position"], name="one_docket_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.question}"

    def clean(self):
        if self.outcome == self.Outcome.WRITTEN_ANSWER_DUE and not self.written_answer_due:
            raise ValidationError({"written_answer_due": "Give the date the written answer is due."})
        if self.outcome == self.Outcome.OUT_OF_SCOPE and not self.outcome_note.strip():
            raise ValidationError({"outcome_note": "Say why the question is out of scope."})


class Notification(models.Model):
    """One e-mail to one person about one event: the forum's outbox.

    The row is written in the same transaction as the event (answer, moderation decision), so a
    committed event always has its e-mails waiting, whatever happens to the broker or the request
    afterwards. portal.forums.notifications.deliver() claims due rows and sends each once; the
    unique constraint makes queueing the same event twice harmless.
    """

    class Kind(models.TextChoices):
        ANSWERED = "answered", _("Question answered")
        MODERATED = "moderated", _("Post moderated")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notifications")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Distinguishes repeated events of one kind (e.g. the moderation action id); empty for "answered".
    event = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Delivery bookkeeping: tries so far, why the last one failed, and when the next is due
    # (pushed ahead while a sender holds the row, so a sender that dies only delays it).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question", "kind", "event"], name="one_notification_per_event")
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(sent_at__isnull=True), name="notification_unsent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.user}"
