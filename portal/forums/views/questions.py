"""Questions: list, ask (with similar-question suggestions), page, replies, votes, follows,
flags, appeals, official answers and search."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from portal.accounts import roles
from portal.core.pagecache import cached_page

from .. import limits, services
from ..forms import AnswerForm, AppealForm, FlagForm, ModerationForm, QuestionForm, ReplyForm
from ..models import PUBLIC_STATUSES, Flag, Follow, PostStatus, Question, Reply, Topic, Vote
from ..search import search_questions, similar_questions
from .common import back, chart_for, error_text, limited, refused, safe_url

SORTS = {
    "recent": (_("Newest"), ["-created_at"]),
    "votes": (_("Most asked"), ["-vote_count", "-created_at"]),
    "waiting": (_("Waiting longest"), ["created_at"]),
    "answered": (_("Recently answered"), [F("answered_at").desc(nulls_last=True)]),
}
STATES = {
    "all": _("All"),
    "open": _("Waiting for an answer"),
    "answered": _("Answered"),
    "overdue": _("Overdue"),
}


@require_safe
@cached_page("forum")
def question_list(request):
    qs = Question.objects.filter(status__in=PUBLIC_STATUSES).select_related("author", "meeting")
    topic = request.GET.get("topic", "")
    if topic in Topic.values:
        qs = qs.filter(topic=topic)
    state = request.GET.get("state", "all")
    if state == "open":
        qs = qs.filter(status=PostStatus.PUBLISHED)
    elif state == "answered":
        qs = qs.filter(status=PostStatus.ANSWERED)
    elif state == "overdue":
        cutoff = timezone.now() - dt.timedelta(days=settings.FORUM_ANSWER_TARGET_DAYS)
        qs = qs.filter(status=PostStatus.PUBLISHED, created_at__lt=cutoff)
    sort = request.GET.get("sort", "recent")
    qs = qs.order_by(*SORTS.get(sort, SORTS["recent"])[1])
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "topics": Topic.choices,
        "topic": topic,
        "states": STATES,
        "state": state,
        "sorts": {k: v[0] for k, v in SORTS.items()},
        "sort": sort,
        "target_days": settings.FORUM_ANSWER_TARGET_DAYS,
    }
    return render(request, "forums/question_list.html", context)


def _initial_from_query(request):
    """Let report pages link to a pre-filled form: ?report=<version id>&chart=<key>&from=&to=&meeting=."""
    initial = {}
    get = request.GET
    if get.get("title"):
        initial["title"] = get["title"][:160]
    if get.get("topic") in Topic.values:
        initial["topic"] = get["topic"]
    if get.get("report", "").isdigit():
        initial["report_version"] = int(get["report"])
    if get.get("chart"):
        initial["chart_key"] = get["chart"][:40]
    for key, field in (("from", "window_start"), ("to", "window_end")):
        try:
            initial[field] = dt.date.fromisoformat(get.get(key, ""))
        except ValueError:
            pass
    if get.get("meeting", "").isdigit():
        initial["meeting"] = int(get["meeting"])
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def ask(request):
    if request.method == "GET":
        form = QuestionForm(initial=_initial_from_query(request))
        similar = similar_questions(form.initial.get("title", "")) if form.initial.get("title") else []
        return render(request, "forums/ask.html", {"form": form, "similar": similar, "needs_review": services.needs_review(request.user)})
    form = QuestionForm(request.POST)
    context = {"form": form, "needs_review": services.needs_review(request.user)}
    if "check" in request.POST:
        # The no-JavaScript way to see similar questions: nothing is saved. Only the title is checked
        # (its error shown and linked like any other); the details may still be empty at this point.
        for name in [name for name in form.errors if name != "title"]:
            del form.errors[name]
        context["similar"] = similar_questions(request.POST.get("title", ""))
        context["checked"] = True
        return render(request, "forums/ask.html", context)
    verdict = limits.check(request, "question")
    if not verdict.allowed:
        return limited(request, verdict.message, "forums/ask.html", context)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("website", None)
        try:
            question = services.ask_question(request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            if question.status == PostStatus.PENDING:
                messages.info(request, _("Thank you. Your question waits for a moderator's review (new accounts' first posts do); it appears once approved."))
            else:
                messages.success(request, _("Thank you. Your question is published."))
            return redirect(question.get_absolute_url())
    context["similar"] = similar_questions(request.POST.get("title", ""))
    return render(request, "forums/ask.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """The author corrects a pending question; moderators may edit any question."""
    question = _get_visible_question(request, pk)
    is_author = question.author_id == request.user.pk
    if not (roles.can_moderate(request.user) or (is_author and question.status == PostStatus.PENDING)):
        raise PermissionDenied("A question can be edited by its author only while it waits for review.")
    initial = {name: getattr(question, name) for name in services.EDITABLE_FIELDS}
    initial["report_version"] = question.report_version_id
    form = QuestionForm(request.POST or None, initial=initial)
    del form.fields["meeting"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        try:
            changed = services.edit_question(question, request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Your changes are saved.") if changed else _("Nothing was changed."))
            return redirect(question.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/edit.html", {"form": form, "question": question}, status=status)


@require_GET
def similar(request):
    """JSON for the suggestions shown while a title is typed."""
    found = similar_questions(request.GET.get("q", "")[:200])
    return JsonResponse(
        {
            "results": [
                {"title": q.title, "url": q.get_absolute_url(), "status": q.get_status_display(), "votes": q.vote_count}
                for q in found
            ]
        }
    )


def _get_visible_question(request, pk):
    question = services.visible_questions(request.user).select_related("author", "report_version__report__facility", "meeting").filter(pk=pk).first()
    if question is None:
        raise Http404("No such question, or it is not public.")
    return question


def _detail_context(request, question, **overrides):
    user = request.user
    answer = getattr(question, "answer", None)
    context = {
        "question": question,
        "answer": answer,
        "replies": services.visible_replies(question, user),
        "chart": chart_for(question),
        "report_url": safe_url(question.report_version) if question.report_version_id else "",
        "answer_report_url": safe_url(answer.report_version) if answer and answer.report_version_id else "",
        "target_days": settings.FORUM_ANSWER_TARGET_DAYS,
        "reply_form": ReplyForm(),
        "appeal_form": AppealForm(),
        "moderation_form": ModerationForm(),
        "can_moderate": roles.can_moderate(user),
        "can_close": roles.can_close(user),
        "can_answer": roles.can_answer(user),
        "is_author": user.is_authenticated and question.author_id == user.pk,
        "open": question.status in (PostStatus.PUBLISHED, PostStatus.ANSWERED),
        "docket_items": question.docket_items.select_related("meeting"),
    }
    if user.is_authenticated:
        context["has_voted"] = Vote.objects.filter(question=question, user=user).exists()
        context["follows"] = Follow.objects.filter(question=question, user=user).exists()
        context["has_flagged"] = Flag.objects.filter(question=question, user=user).exists()
    if context["can_moderate"]:
        context["flags"] = question.flags.select_related("user")
        context["actions"] = question.actions.select_related("actor")[:20]
    context.update(overrides)
    return context


@require_safe
@cached_page("forum")
def question_detail(request, pk, slug=""):
    question = _get_visible_question(request, pk)
    return render(request, "forums/question_detail.html", _detail_context(request, question))


@login_required
@require_POST
def reply(request, pk):
    question = _get_visible_question(request, pk)
    form = ReplyForm(request.POST)
    verdict = limits.check(request, "reply")
    if not verdict.allowed:
        context = _detail_context(request, question, reply_form=form, limit_message=verdict.message)
        return render(request, "forums/question_detail.html", context, status=429)
    if form.is_valid():
        try:
            new = services.reply_to_question(question, request.user, form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("body", error_text(exc))
        else:
            if new.status == PostStatus.PENDING:
                messages.info(request, _("Thank you. Your reply waits for a moderator's review before it appears."))
            else:
                messages.success(request, _("Your reply is posted."))
            return redirect(new.get_absolute_url())
    context = _detail_context(request, question, reply_form=form)
    return render(request, "forums/question_detail.html", context, status=400)


@login_required
@require_POST
def vote(request, pk):
    question = _get_visible_question(request, pk)
    undo = request.POST.get("undo") == "1"
    if not undo:
        verdict = limits.check(request, "vote")
        if not verdict.allowed:
            return limited(request, verdict.message, context={"back_url": question.get_absolute_url()})
    try:
        if undo:
            changed = services.unvote(question, request.user)
            if changed:
                messages.info(request, _("Your vote is withdrawn."))
        else:
            changed = services.vote(question, request.user)
            if changed:
                messages.success(request, _("Counted: you have this question too. We e-mail you when it is answered."))
    except (PermissionDenied, ValidationError) as exc:
        return refused(request, exc, question.get_absolute_url())
    return back(request, question.get_absolute_url())


@login_required
@require_POST
def follow(request, pk):
    question = _get_visible_question(request, pk)
    try:
        if request.POST.get("undo") == "1":
            if services.unfollow(question, request.user):
                messages.info(request, _("You no longer follow this question."))
        elif services.follow(question, request.user):
            messages.success(request, _("You follow this question: we e-mail you when it is answered."))
    except (PermissionDenied, ValidationError) as exc:
        return refused(request, exc, question.get_absolute_url())
    return back(request, question.get_absolute_url())


def _flag_target(request, kind, pk):
    if kind == "question":
        post = _get_visible_question(request, pk)
        return post, post
    reply_obj = get_object_or_404(Reply.objects.select_related("question"), pk=pk)
    question = _get_visible_question(request, reply_obj.question_id)
    if reply_obj.status != PostStatus.PUBLISHED and not roles.can_moderate(request.user) and reply_obj.author_id != request.user.pk:
        raise Http404("No such reply.")
    return reply_obj, question


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, kind, pk):
    post, question = _flag_target(request, kind, pk)
    form = FlagForm(request.POST or None)
    context = {"form": form, "post": post, "question": question, "kind": kind}
    if request.method == "POST":
        verdict = limits.check(request, "flag")
        if not verdict.allowed:
            return limited(request, verdict.message, "forums/flag.html", context)
        if form.is_valid():
            try:
                created = services.flag_post(post, request.user, form.cleaned_data["reason"], form.cleaned_data["note"])
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, error_text(exc))
            else:
                if created:
                    messages.success(request, _("Thank you: a moderator will look at it."))
                else:
                    messages.info(request, _("You have flagged this already; a moderator will look at it."))
                return redirect(question.get_absolute_url())
        return render(request, "forums/flag.html", context, status=400)
    return render(request, "forums/flag.html", context)


@login_required
@require_POST
def appeal(request, kind, pk):
    post, question = _flag_target(request, kind, pk)
    form = AppealForm(request.POST, auto_id=f"appeal-{kind}-{post.pk}-%s")
    if form.is_valid():
        try:
            if services.appeal_post(post, request.user, form.cleaned_data["text"]):
                messages.success(request, _("Your appeal is sent. A moderator will read it and decide."))
        except PermissionDenied as exc:
            return refused(request, exc, question.get_absolute_url())
        except ValidationError as exc:
            form.add_error("text", error_text(exc))
        else:
            return redirect(question.get_absolute_url())
    # The question page again, the refused appeal's error under its field (forums/_status_notice.html).
    context = _detail_context(request, question, appeal_form=form, appeal_target=(kind, post.pk))
    return render(request, "forums/question_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    question = _get_visible_question(request, pk)
    if not roles.can_answer(request.user):
        raise PermissionDenied("Only staff may give an official answer.")
    existing = getattr(question, "answer", None)
    initial = {"body": existing.body, "report_version": existing.report_version_id} if existing else {}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.answer_question(question, request.user, form.cleaned_data["body"], form.cleaned_data["report_version"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, error_text(exc))
        else:
            if changed:
                messages.success(request, _("The answer is published.") if not existing else _("The answer is revised (no new e-mails)."))
            return redirect(question.get_absolute_url())
    return render(request, "forums/answer.html", {"form": form, "question": question, "existing": existing})


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = search_questions(query).select_related("author", "meeting") if query else Question.objects.none()
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    return render(
        request, "forums/search.html", {"query": query, "page": page, "target_days": settings.FORUM_ANSWER_TARGET_DAYS}
    )

