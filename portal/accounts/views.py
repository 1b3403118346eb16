"""Sign-up, e-mail verification, login/logout, password reset and the profile page."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from portal.core import ratelimit
from portal.core.errors import error_response

from . import services
from .forms import AddressPasswordResetForm, ProfileForm, SignUpForm, ThrottledAuthenticationForm


def _local_next(request):
    """Where the visitor was going (?next= or a posted next): a path on this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # allowed_hosts=None: no host at all is allowed, so only a path (never //host or https://…) passes.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None):
        return candidate
    return ""


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url}, safe='/')}" if next_url else url


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        verdict = ratelimit.check(request, "signup")
        if not verdict.allowed:
            form.is_valid()  # show field errors too, and keep what was typed
            return render(request, "accounts/signup.html", {"form": form, "limit_message": verdict.message}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            services.sign_up(
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                neighbourhood=data["neighbourhood"],
                language=get_language(),
                next_url=_local_next(request),
            )
            request.session["signup_email"] = data["email"]
            return redirect(_with_next(reverse("accounts:signup-done"), _local_next(request)))
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    return render(request, "accounts/signup_done.html", {
        "email": request.session.get("signup_email", ""),
        "login_url": _with_next(reverse("accounts:login"), _local_next(request)),
    })


def verify(request, token):
    try:
        user, changed = services.verify_email(token)
    except services.VerificationError as exc:
        return render(request, "accounts/verify_failed.html", {"error": str(exc)}, status=400)
    if not user.is_active:
        return render(request, "accounts/verify_failed.html", {"error": _("This account has been deactivated.")}, status=400)
    # No automatic login: whoever holds a forwarded link should not get the account.
    if changed:
        messages.success(request, _("Thank you: your e-mail address is confirmed. Log in to take part."))
    else:
        messages.info(request, _("This address was confirmed already. Log in to continue."))
    next_url = _local_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:profile")
    return redirect(_with_next(reverse("accounts:login"), next_url))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None, user=user, initial={"display_name": user.display_name, "neighbourhood": user.neighbourhood}
    )
    if request.method == "POST" and form.is_valid():
        if services.update_profile(user, **form.cleaned_data):
            messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    questions = user.questions.order_by("-created_at")[:50]
    return render(request, "accounts/profile.html", {"form": form, "questions": questions})


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = AddressPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Reset mails go to any address typed in: limit them per IP like sign-ups.
        verdict = ratelimit.check(self.request, "password_reset")
        if not verdict.allowed:
            return render(self.request, self.template_name, {"form": form, "limit_message": verdict.message}, status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The link came to this address, so it is confirmed: an unverified account becomes usable.
        services.confirm_address(form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


@csrf_exempt
@require_POST
def set_language(request):
    """The language switcher: Django's set_language (the cookie, then back to ``next``), and for a
    signed-in person the choice kept on the account, so their e-mails come in it too.

    Exempt from the CSRF middleware because the switcher is on every page, and the page cache stores
    anonymous pages only when they carry no token: a forged post can at worst switch a stranger's
    display language, which the same switcher undoes. A signed-in person's form does carry a token
    (their pages are never cached), and it is checked here before the account changes.
    """
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    language = request.POST.get("language", "")
    # Django's view takes any language it has a catalogue for; this site offers only LANGUAGES.
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        return error_response(request, 400, _("That language is not offered here."))
    response = i18n_views.set_language(request)
    if request.user.is_authenticated:
        services.set_language(request.user, language)
    return response
