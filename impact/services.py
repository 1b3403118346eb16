"""The verbs of the impact side. Views, the API, admin actions, commands and tasks call these.

- :func:`request_report` records a pending run and enqueues it after commit.
- :func:`retry_run` queues a failed or stuck run again, on the inputs frozen when it was queued.
- :func:`recompute_run` queues a new run of a run's report from the facility's current inputs.
- :func:`execute_run` is what the worker does: claim, compute, draw, save in one transaction.
- :func:`publish_run` makes a succeeded run the next immutable version of its report.
- :func:`import_measured` stores a checked CSV file of measured data (impact/measured.py).

Each staff verb checks the role's permission here and writes its one audit-log row here
(portal.audit.log.record), in the same transaction as the change; the door (admin, API, CLI,
page, system) is the caller's context, so no caller records anything itself.
"""

import datetime as dt
import hashlib
import logging
import math
import time
import traceback

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from impact import adapters, charts, downloads, engine, leases, figures
from impact.engine.inputs import Period, RunOptions
from impact.models import (
    CemsHour,
    Facility,
    MeasuredDataset,
    MeasuredValue,
    Report,
    ReportArtifact,
    ReportChart,
    ReportMetric,
    ReportRun,
    ReportSubscription,
    ReportVersion,
    RunLogEntry,
    SeriesPoint,
    SubscriptionDelivery,
)
from impact.measured import MeasuredDataError, RowError, parse as parse_measured
from impact.periods import PeriodError, parse_period, previous_month
from portal.audit import log as audit
from portal.audit.models import StaffAction

log = logging.getLogger(__name__)

GWP_SETS = ("AR5", "AR6")
SERIES_BATCH = 2000


class ReportError(ValueError):
    """A request that cannot be carried out; the message tells the person why."""


class NotPermitted(PermissionDenied):
    """The acting user's role does not give the permission this verb needs (a 403 at the API)."""


# The Django permission each staff verb on reports needs (the analyst role has them, see
# portal/accounts/roles.py); the admin, the API and any page check them here, not on their own.
REQUEST_PERMISSION = "impact.add_reportrun"
RETRY_PERMISSION = "impact.change_reportrun"
PUBLISH_PERMISSION = "impact.add_reportversion"
MEASURED_PERMISSION = "impact.add_measureddataset"
VERBS = {REQUEST_PERMISSION: "request report runs", RETRY_PERMISSION: "retry report runs",
         PUBLISH_PERMISSION: "publish reports", MEASURED_PERMISSION: "import measured data"}


DRAFT_PERMISSION = "impact.view_reportrun"


def can_see_drafts(user):
    """Unpublished runs (drafts, their charts, downloads and diagnostics) are for roles that work on
    reports; a forum moderator is staff but does not see them."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and user.is_staff and user.has_perm(DRAFT_PERMISSION))


def refusal(user, permission):
    """Why ``user`` may not do what ``permission`` allows, or "" if they may.

    ``user=None`` is the system itself (the monthly beat task, a management command run by
    whoever has a shell on the server), which needs no role.
    """
    if user is None or (getattr(user, "is_active", False) and user.has_perm(permission)):
        return ""
    return f"Your role may not {VERBS.get(permission, permission)}; that needs the {permission} permission (the analyst role)."


def require_permission(user, permission):
    """Raise NotPermitted unless ``user`` may do what ``permission`` allows (see refusal)."""
    reason = refusal(user, permission)
    if reason:
        raise NotPermitted(reason)


SEED_PERMISSIONS = ("impact.add_facility", "impact.change_facility")


def load_seed_facility(*, user=None):
    """Create or update the cited Memphis facility from impact.seed; returns (facility, created).

    A staff verb like the others (the `load_memphis` command, and `serve` on first start as the
    system): it needs the analyst's facility permissions and writes one audit row.
    """
    from impact.seed import load_memphis

    for permission in SEED_PERMISSIONS:
        require_permission(user, permission)
    with transaction.atomic():
        before = audit.snapshot(Facility.objects.filter(slug="memphis-supercluster").first())
        facility, created = load_memphis()
        # An import is a door that saves facility inputs too: the engine checks them before commit.
        refused = adapters.facility_input_error(adapters.load_facility(facility.slug))
        if refused is not None:
            raise ReportError(f"The seed's inputs cannot be computed, so nothing was loaded: {refused}")
        audit.record(user, StaffAction.Kind.ADD if created else StaffAction.Kind.CHANGE, facility, before,
                     audit.snapshot(audit.reread(facility)), name="load the Memphis seed",
                     reason=f"{facility.all_assumptions.count()} cited inputs")
    return facility, created


def request_report(facility, period_text, *, user=None, gwp_set="AR6", samples=None, seed=12345):
    """Record a pending run of ``facility`` over ``period_text`` and enqueue it once committed.

    If an identical run (same inputs, period and options) is already pending or running, that
    run is returned instead of a second one. Raises ReportError / PeriodError on bad input.
    """
    return _queue_report(facility, period_text, user=user, gwp_set=gwp_set, samples=samples, seed=seed,
                         name="compute report")


def _queue_report(facility, period_text, *, user, gwp_set, samples, seed, name, reason=""):
    """request_report's work; ``name`` and ``reason`` go on its one audit row."""
    require_permission(user, REQUEST_PERMISSION)
    period = parse_period(period_text)
    if gwp_set not in GWP_SETS:
        raise ReportError(f"Unknown GWP set {gwp_set!r}; choose one of {', '.join(GWP_SETS)}.")
    samples = settings.IMPACT_MONTE_CARLO_SAMPLES if samples is None else int(samples)
    if samples < 0:
        raise ReportError("The number of Monte Carlo samples cannot be negative.")
    snapshot = adapters.facility_snapshot(facility)
    # Refuse now, not in the worker, if a part is missing or an input is one the engine cannot
    # compute from (NaN written past the forms, a range that excludes its own value, …).
    try:
        facility_input = adapters.engine_facility(snapshot)
        zone = facility.zone
        bounds = (dt.datetime.combine(period.start, dt.time(), tzinfo=zone),
                  dt.datetime.combine(period.end, dt.time(), tzinfo=zone))
        engine.validate(facility_input, Period(bounds[0].astimezone(dt.timezone.utc),
                                               bounds[1].astimezone(dt.timezone.utc)),
                        RunOptions(gwp_set=gwp_set, monte_carlo_samples=samples, seed=seed))
    except (adapters.SnapshotError, engine.EngineInputError) as exc:
        raise ReportError(f"The facility's inputs cannot be computed: {exc}") from None
    options = {"gwp_set": gwp_set, "monte_carlo_samples": samples, "seed": seed, "engine": engine.ENGINE_VERSION}
    input_hash = adapters.snapshot_hash(snapshot, period.key, options)

    with transaction.atomic():
        report, _created = Report.objects.get_or_create(
            facility=facility,
            period=period.key,
            defaults={"period_kind": period.kind, "start_date": period.start, "end_date": period.end},
        )
        active = report.runs.filter(
            input_hash=input_hash, status__in=[ReportRun.Status.PENDING, ReportRun.Status.RUNNING]
        ).first()
        if active:
            # Never hand back a dead run to wait on: one nothing works on is queued again.
            transaction.on_commit(lambda: leases.revive(active))
            audit.record(user, StaffAction.Kind.ACTION, active, name=name,
                         reason="; ".join(filter(None, [reason, "an identical run was already queued; it is the answer"])))
            return active
        run = ReportRun.objects.create(
            report=report,
            requested_by=user if user is not None and user.is_authenticated else None,
            input_snapshot=snapshot,
            input_hash=input_hash,
            engine_version=engine.ENGINE_VERSION,
            gwp_set=gwp_set,
            monte_carlo_samples=samples,
            seed=seed,
        )
        enqueue_run(run)
        audit.record(user, StaffAction.Kind.ACTION, run, None, audit.snapshot(run), name=name, reason=reason)
    return run


def frozen_inputs_note(run):
    """Which inputs a retry of ``run`` computes from, said to the person retrying it.

    A retry recomputes the snapshot frozen when the run was queued, so a facility fixed since then
    does not help it; the note says when that snapshot was taken and whether the facility differs.
    """
    taken = timezone.localtime(run.created_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    note = f"Run {run.pk} uses the inputs frozen when it was queued ({taken}, input hash {run.input_hash[:12]})"
    if current_inputs_differ(run):
        note += "; the facility has changed since, and a retry does not see the change"
    return note + ". To compute from the facility as it is now, use “Recompute with current inputs”."


def current_inputs_differ(run):
    """True when the facility's inputs now differ from the snapshot ``run`` froze."""
    facility = adapters.load_facility(run.report.facility.slug)
    # Hash both through the same canonical JSON: the stored one has been through the database.
    return adapters.snapshot_hash(adapters.facility_snapshot(facility), None, None) != adapters.snapshot_hash(
        run.input_snapshot, None, None)


def recompute_run(run, *, user=None):
    """Queue a new run of ``run``'s report and options from the facility's current inputs.

    The way out after a retry fails again on a snapshot that froze a bad value: the old run stays as
    it was (its error is the record of what went wrong) and the new run is checked and queued as
    request_report does. Raises ReportError if the current inputs cannot be computed either.
    """
    taken = timezone.localtime(run.created_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return _queue_report(
        run.report.facility, run.report.period, user=user, gwp_set=run.gwp_set, samples=run.monte_carlo_samples,
        seed=run.seed, name="recompute with current inputs",
        reason=f"replaces run {run.pk}, whose inputs were frozen at {taken}",
    )


def enqueue_run(run):
    """Send the run to a worker once the surrounding transaction commits. A broker that is down
    is logged, not raised: the run stays pending and the sweeper sends it again."""
    run_id = run.pk
    transaction.on_commit(lambda: leases.dispatch(run_id))


def retry_run(run, *, user=None):
    """Queue a failed or stuck run again with the same inputs (its frozen snapshot, see
    frozen_inputs_note); returns True if it was queued.

    A stuck run is one nothing is working on: running with its worker's lease run out, or pending
    with no message delivered. Staff retries start a fresh budget of attempts.
    """
    require_permission(user, RETRY_PERMISSION)
    run.refresh_from_db()
    if run.status != ReportRun.Status.FAILED and not leases.is_stuck(run):
        return False
    before = audit.snapshot(run)
    with transaction.atomic():
        changed = ReportRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ReportRun.Status.PENDING, stage=ReportRun.Stage.QUEUED, error="", started_at=None, finished_at=None,
            lease_token="", lease_expires_at=None, attempts=0, dispatched_at=None,
        )
        if changed:
            enqueue_run(run)
            audit.record(user, StaffAction.Kind.ACTION, run, before, audit.snapshot(audit.reread(run)), name="retry run")
    if changed:
        run.refresh_from_db()
    return bool(changed)


def _set_stage(run_id, token, stage):
    # Outside the results transaction, so the page shows progress while the worker is busy;
    # renews the lease too.
    leases.held(run_id, token).update(
        stage=stage, lease_expires_at=timezone.now() + dt.timedelta(seconds=leases.lease_seconds())
    )


def engine_period(report):
    """The report's local-midnight bounds as the engine's UTC period."""
    start, end = report.local_bounds()
    return Period(start=start.astimezone(dt.timezone.utc), end=end.astimezone(dt.timezone.utc))


# Errors that mean "the database is gone for now", not "this run is wrong".
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


def execute_run(run_id):
    """Claim a pending run, compute it and save every result in one transaction.

    Returns False if the run was not pending (another worker has it, or a message was delivered
    twice). The worker holds a lease on the run while it computes (:mod:`impact.leases`). If the
    database goes away, the run is handed back to the queue and the error re-raised, so the task
    retries with backoff; any other failure marks the run failed with the reason, through a fresh
    connection if need be. No partial results are ever saved.
    """
    token = leases.claim(run_id)
    if token is None:
        log.info("run %s is not pending; nothing to do", run_id)
        return False
    run = ReportRun.objects.select_related("report__facility").get(pk=run_id)
    began = time.perf_counter()
    try:
        with leases.heartbeat(run_id, token):
            facility_input = adapters.engine_facility(run.input_snapshot)
            scenarios = adapters.engine_scenarios(run.input_snapshot)
            options = RunOptions(gwp_set=run.gwp_set, monte_carlo_samples=run.monte_carlo_samples, seed=run.seed)
            result = engine.compute(facility_input, engine_period(run.report), options, scenarios)
            _set_stage(run_id, token, ReportRun.Stage.DRAWING)
            drawn = draw_charts(result, run.report.facility.zone, run.input_snapshot)
            # The PDF, CSV and JSON stay English (data for journalists and analysts; issue 14), even
            # when the run is computed inside a Spanish request (an eager task).
            with translation.override(ENGLISH):
                files = downloads.build_downloads(run, result, drawn[ENGLISH])
            _set_stage(run_id, token, ReportRun.Stage.SAVING)
            with transaction.atomic():
                _save_results(run, token, result, drawn, files, time.perf_counter() - began)
    except leases.LeaseLost:
        log.warning("run %s was reclaimed while this worker computed it; results discarded", run_id)
        return False
    except TRANSIENT_DATABASE_ERRORS as exc:
        log.warning("run %s: database unavailable (%s); handing it back to the queue", run_id, exc)
        reason = f"Attempt {run.attempts + 1} lost the database ({type(exc).__name__}); queued again."
        try:
            leases.with_fresh_connection(lambda: leases.release(run_id, token, reason))
        except DatabaseError:
            log.warning("run %s: still no database; its lease will run out and the sweeper will requeue it", run_id)
        raise
    except Exception as exc:  # noqa: BLE001 - any failure must end as a failed run, never a stuck one
        log.exception("run %s failed", run_id)
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        leases.with_fresh_connection(lambda: leases.held(run_id, token).update(
            status=ReportRun.Status.FAILED, error=error, finished_at=timezone.now(), lease_token="",
            lease_expires_at=None,
        ))
        return False
    return True


ENGLISH = "en"


def draw_charts(result, zone, snapshot=None):
    """language → the report's charts drawn in it, for English and every other language of
    settings.REPORT_CHART_LANGUAGES (by default all of settings.LANGUAGES).

    English has every chart (the PDF embeds it, staff read it); the others have the public ones
    only, since the staff diagnostic is for staff, who read English. A page in a language without
    its own charts shows the English ones, marked lang="en".
    """
    drawn = {}
    for language in dict.fromkeys([ENGLISH, *settings.REPORT_CHART_LANGUAGES]):
        with translation.override(language):
            drawn[language] = charts.report_charts(result, zone, snapshot, staff=language == ENGLISH)
    return drawn


def _save_results(run, token, result, drawn, files, compute_seconds):
    base = result.base
    metrics = []
    for scenario_name, engine_result in [("", base), *result.scenarios.items()]:
        for order, metric in enumerate(engine_result.metrics.values()):
            metrics.append(
                ReportMetric(
                    run=run, scenario=scenario_name, key=metric.key, label=metric.label, unit=metric.unit,
                    value=metric.value, p5=metric.p5, p50=metric.p50, p95=metric.p95, order=order,
                )
            )
    ReportMetric.objects.bulk_create(metrics)

    columns = base.series.columns()
    names = [name for name in columns if name != "timestamp_utc"]
    stamps = columns["timestamp_utc"].astype("datetime64[s]").astype(object)
    matrix = [columns[name].astype(float).tolist() for name in names]
    points = [
        SeriesPoint(
            run=run,
            timestamp=stamp.replace(tzinfo=dt.timezone.utc),
            values={name: _json_safe(matrix[j][i]) for j, name in enumerate(names)},
        )
        for i, stamp in enumerate(stamps)
    ]
    SeriesPoint.objects.bulk_create(points, batch_size=SERIES_BATCH)

    ReportChart.objects.bulk_create(
        ReportChart(run=run, key=c.key, language=language, title=c.title, alt_text=c.alt_text, png=c.png, svg=c.svg,
                    table=_json_safe(c.table), order=i)
        for language, language_charts in drawn.items()
        for i, c in enumerate(language_charts)
    )
    ReportArtifact.objects.bulk_create(
        ReportArtifact(run=run, kind=f.kind, filename=f.filename, content=f.content, sha256=f.sha256, size_bytes=len(f.content))
        for f in files
    )
    summary = base.to_dict()
    summary["scenarios"] = {name: r.to_dict() for name, r in result.scenarios.items()}
    summary["scenario_comparison"] = [list(row) for row in result.comparison_rows]
    summary["compute_seconds"] = round(compute_seconds, 3)
    updated = leases.held(run.pk, token).update(
        status=ReportRun.Status.SUCCEEDED,
        stage=ReportRun.Stage.DONE,
        summary=_json_safe(summary),
        series_columns=names,
        engine_version=base.engine_version,
        finished_at=timezone.now(),
        error="",
        lease_token="",
        lease_expires_at=None,
    )
    if not updated:
        # Rolls the whole results transaction back: the run's new holder saves its own.
        raise leases.LeaseLost(f"run {run.pk} was reclaimed while this worker computed it")


class PublishError(ValueError):
    """Publishing refused; the message says why."""


class UnservedDemandError(PublishError):
    """Publishing refused because too much modelled demand went unserved and nobody acknowledged it."""


def unserved_share(run):
    """Share of the run's modelled demand that no supply could deliver (None if it has no diagnostic)."""
    return figures.unserved_share({m.key: m for m in run.metrics.filter(scenario="", key__in=figures.DIAGNOSTIC_KEYS + ("energy_facility_mwh",))})


def publish_run(run, *, user=None, changelog="", acknowledgement=""):
    """Publish a succeeded run as the next version of its report.

    Returns (version, created). Publishing the same run twice returns its version and False.
    A correction (any version after the first) needs a changelog note. A run whose unserved share
    of modelled demand exceeds settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD needs an
    ``acknowledgement``: the analyst's written reason, which the public report shows.
    """
    require_permission(user, PUBLISH_PERMISSION)
    changelog = (changelog or "").strip()
    acknowledgement = (acknowledgement or "").strip()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("report").get(pk=run.pk)
        existing = ReportVersion.objects.filter(run=run).first()
        if existing:
            return existing, False
        if run.status != ReportRun.Status.SUCCEEDED:
            raise PublishError(f"Only a succeeded run can be published; this one is {run.get_status_display().lower()}.")
        threshold = settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD
        share = unserved_share(run)
        if share is not None and share > threshold and not acknowledgement:
            raise UnservedDemandError(
                f"The model could not serve {figures.percent(share)} of this run's modelled demand, above the publish "
                f"threshold of {figures.percent(threshold)} (IMPACT_UNSERVED_PUBLISH_THRESHOLD). Publishing it needs a "
                "written acknowledgement, shown to the public with the report."
            )
        report = Report.objects.select_for_update().get(pk=run.report_id)
        latest = report.versions.aggregate(n=Max("number"))["n"] or 0
        if latest and not changelog:
            raise PublishError(f"Version {latest} is already published: a correction needs a changelog note saying what changed.")
        version = ReportVersion.objects.create(
            report=report,
            number=latest + 1,
            run=run,
            published_at=timezone.now(),
            published_by=user if user is not None and user.is_authenticated else None,
            changelog=changelog,
            unserved_acknowledgement=acknowledgement,
        )
        version_id = version.pk
        transaction.on_commit(lambda: _notify_later(version_id))
        audit.record(
            user, StaffAction.Kind.ADD, version, None, audit.snapshot(version),
            name="publish" if version.number == 1 else "publish correction",
            reason="\n\n".join(t for t in (changelog, acknowledgement) if t),
        )
    return version, True


def _notify_later(version_id):
    from impact.tasks import notify_subscribers

    notify_subscribers.delay(version_id)


def draft_monthly_reports(today=None):
    """Queue last month's report for every active facility that has no run of it yet.

    Run by Celery beat on the 1st; running it twice queues nothing more. Returns the new runs.
    """
    period = previous_month(today or timezone.localdate())
    created = []
    for facility in Facility.objects.filter(is_active=True):
        already = list(ReportRun.objects.filter(report__facility=facility, report__period=period.key).exclude(
            status=ReportRun.Status.FAILED
        ))
        if already:
            for run in already:
                leases.revive(run)  # a stuck draft is moved on, not skipped for good
            continue
        try:
            created.append(request_report(facility, period.key))
        except ReportError as exc:
            log.warning("monthly report for %s not queued: %s", facility, exc)
    return created


# --- Subscriptions --------------------------------------------------------------------------------


def subscribe(facility, email, language=None):
    """Record a subscription and e-mail a confirmation link; returns (subscription, created).

    Asking again re-sends the link and creates nothing; nobody is subscribed without confirming.
    The e-mails are in ``language`` (default: the active one, the page's the resident asked from);
    asking again before confirming takes the new language.
    """
    from django.core.mail import send_mail
    from django.utils.crypto import get_random_string

    email = email.strip().lower()
    language = _known_language(language or translation.get_language())
    subscription, created = ReportSubscription.objects.get_or_create(
        facility=facility, email=email, defaults={"token": get_random_string(48), "language": language}
    )
    if subscription.confirmed_at is None:
        if subscription.language != language:
            ReportSubscription.objects.filter(pk=subscription.pk).update(language=language)
            subscription.language = language
        link = f"{settings.SITE_URL}/subscriptions/{subscription.token}/confirm/"
        with translation.override(subscription.language):
            send_mail(
                _("Confirm: new reports for %(facility)s") % {"facility": facility.name},
                _("Someone (we hope you) asked to be e-mailed when a report on %(facility)s is published.\n\n"
                  "Confirm here: %(link)s\n\nIf it wasn't you, ignore this message and nothing will be sent.")
                % {"facility": facility.name, "link": link},
                None,
                [email],
            )
    return subscription, created


def _known_language(code):
    """``code`` when the site speaks it ("es-mx" → "es"), else English."""
    codes = [c for c, _name in settings.LANGUAGES]
    code = (code or "").lower()
    return code if code in codes else code.split("-")[0] if code.split("-")[0] in codes else ENGLISH


def confirm_subscription(token):
    """Confirm by token; returns the subscription (None for an unknown token)."""
    subscription = ReportSubscription.objects.filter(token=token).first()
    if subscription and subscription.confirmed_at is None:
        ReportSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        subscription.refresh_from_db()
    return subscription


def unsubscribe(token):
    """Remove a subscription by its token; returns whether one was removed."""
    deleted, _by_model = ReportSubscription.objects.filter(token=token).delete()
    return bool(deleted)


def notify_subscribers(version_id):
    """E-mail every confirmed subscriber of the facility once about this version; returns how many."""
    from django.core.mail import send_mail

    version = ReportVersion.objects.select_related("report__facility").get(pk=version_id)
    facility = version.report.facility
    sent = 0
    for subscription in facility.subscriptions.filter(confirmed_at__isnull=False):
        with transaction.atomic():
            _delivery, created = SubscriptionDelivery.objects.get_or_create(version=version, subscription=subscription)
            if not created:
                continue  # already told: a rerun of this task must not send twice
            with translation.override(subscription.language):
                send_mail(*_notice(version, facility, subscription), None, [subscription.email])
        sent += 1
    return sent


def _notice(version, facility, subscription):
    """The subject and body of a new-report or correction notice, in the active language.

    The changelog is the analyst's own words, quoted as written.
    """
    names = {"facility": facility.name, "period": version.report.period_label, "number": version.number}
    if version.number > 1:
        subject = _("A correction: %(facility)s, %(period)s") % names
        body = _("A correction on %(facility)s for %(period)s was published (version %(number)s).") % names
    else:
        subject = _("A new report: %(facility)s, %(period)s") % names
        body = _("A new report on %(facility)s for %(period)s was published (version %(number)s).") % names
    body += f"\n\n{settings.SITE_URL}{version.get_absolute_url()}\n"
    if version.changelog:
        body += "\n" + _("What changed: %(changelog)s") % {"changelog": version.changelog} + "\n"
    link = f"{settings.SITE_URL}/subscriptions/{subscription.token}/unsubscribe/"
    body += "\n" + _("Unsubscribe: %(link)s") % {"link": link} + "\n"
    return subject, body


def latest_versions():
    """The newest published version of every report (a queryset), newest period first."""
    newest = ReportVersion.objects.filter(report=OuterRef("report")).order_by("-number").values("number")[:1]
    return (
        ReportVersion.objects.filter(number=Subquery(newest))
        .select_related("report__facility", "run")
        .order_by("-report__start_date", "report__facility__name")
    )


def _json_safe(value):
    """numpy numbers → Python numbers, NaN/inf → None, so the JSON column accepts the summary."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- Measured data (issue 15) -----------------------------------------------------------------

MAX_MEASURED_BYTES = 20 * 1024 * 1024
_ROW_MODELS = {MeasuredDataset.Kind.RUN_LOG: RunLogEntry, MeasuredDataset.Kind.CEMS: CemsHour}


def import_measured(facility, kind, file, *, user=None, source=None, status="", period="", supersedes=None, reason=""):
    """Check a CSV file of measured data and store it whole; returns (dataset, created).

    ``file`` is an uploaded file, an open binary file or bytes; ``period`` the period the file
    covers, as report periods are written (2024-07, 2024-Q3, 2024-07-01..2024-07-15), in the
    facility's time zone. A file with any error raises MeasuredDataError listing every
    (row, column, reason) and stores nothing. The same file again (same SHA-256 for the facility
    and kind) is a no-op that returns the stored dataset and writes no audit row. A corrected
    file names the dataset it ``supersedes`` and the ``reason``; the old one is marked superseded
    and keeps its rows.
    """
    require_permission(user, MEASURED_PERMISSION)
    name = getattr(file, "name", "") or "upload.csv"
    # One byte more than allowed is enough to know the file is too large.
    data = file if isinstance(file, bytes) else file.read(MAX_MEASURED_BYTES + 1)
    if len(data) > MAX_MEASURED_BYTES:
        raise MeasuredDataError([RowError(0, "", f"the file is {len(data):,} bytes; at most {MAX_MEASURED_BYTES:,}")])
    digest = hashlib.sha256(data).hexdigest()
    existing = MeasuredDataset.objects.filter(facility=facility, kind=kind, sha256=digest).first()
    if existing is not None:
        return existing, False

    errors = []
    if kind not in MeasuredDataset.Kind.values:
        raise MeasuredDataError([RowError(0, "", f"unknown kind {kind!r}: one of {', '.join(MeasuredDataset.Kind.values)}")])
    if source is None:
        errors.append(RowError(0, "", "name the source document the data comes from"))
    if status not in dict(MeasuredDataset.STATUS_CHOICES):
        errors.append(RowError(0, "", f"status must be one of {', '.join(dict(MeasuredDataset.STATUS_CHOICES))}, not {status!r}"))
    if supersedes is not None:
        if (supersedes.facility_id, supersedes.kind) != (facility.pk, kind):
            errors.append(RowError(0, "", f"{supersedes} is not a {kind} dataset of {facility}"))
        elif supersedes.superseded:
            errors.append(RowError(0, "", f"{supersedes} is already superseded; correct its newest dataset"))
        if not reason.strip():
            errors.append(RowError(0, "", "say why this file supersedes the earlier one (a reason is required)"))
    try:
        stated = parse_period(period)
    except PeriodError as exc:
        raise MeasuredDataError([*errors, RowError(0, "", f"period: {exc}")]) from None
    zone = facility.zone
    start = dt.datetime.combine(stated.start, dt.time(), zone).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(stated.end, dt.time(), zone).astimezone(dt.timezone.utc)
    try:
        parsed = parse_measured(kind, data, zone=zone, period_start=start, period_end=end,
                                gas_hhv_btu_per_scf=facility.gas_hhv_btu_per_scf)
    except MeasuredDataError as exc:
        raise MeasuredDataError([*errors, *exc.errors]) from None
    if errors:
        raise MeasuredDataError(errors)

    row_model = _ROW_MODELS.get(kind, MeasuredValue)
    try:
        with transaction.atomic():
            if supersedes is not None:
                # Two corrections of one dataset at once: the second finds it superseded and stops.
                if not MeasuredDataset.objects.filter(pk=supersedes.pk, superseded=False).update(superseded=True):
                    raise MeasuredDataError([RowError(0, "", f"{supersedes} was superseded meanwhile; correct its newest dataset")])
            dataset = MeasuredDataset.objects.create(
                facility=facility, kind=kind, period_start=start, period_end=end, period_key=stated.key, sha256=digest,
                file_name=name.rsplit("/", 1)[-1][:255], row_count=len(parsed.rows),
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                source=source, status=status, supersedes=supersedes, reason=reason.strip(),
            )
            row_model.objects.bulk_create([row_model(dataset=dataset, **row) for row in parsed.rows], batch_size=2000)
            audit.record(user, StaffAction.Kind.ADD, dataset, None, audit.snapshot(dataset), name="import measured data",
                         reason=reason.strip() or f"{len(parsed.rows)} rows, SHA-256 {digest[:12]}…")
    except IntegrityError:
        # The same file uploaded twice at once: the other upload stored it.
        existing = MeasuredDataset.objects.filter(facility=facility, kind=kind, sha256=digest).first()
        if existing is None:
            raise
        return existing, False
    return dataset, True
