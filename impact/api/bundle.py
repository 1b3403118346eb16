"""The open-data bundle of a published report version: one ZIP a journalist can archive and cite.

Contents: metrics.csv (every headline figure, base case and scenarios, with P5/P50/P95),
series.csv (the hourly base-case series), assumptions.csv and input_snapshot.json (every input the
run used, with its range and source), data_dictionary.csv (every column: meaning, unit, source),
README.txt, and SHA256SUMS covering all of them (check with ``sha256sum -c SHA256SUMS``).

A published version never changes, so the same version always gives the same bytes: entries carry
the publication time, not the time of the download.
"""

import hashlib
import json
import tempfile
import zipfile

from impact.api.dictionary import ASSUMPTION_COLUMNS, METRIC_COLUMNS, dictionary_rows
from impact.figures import is_public_metric, public_series_columns
from impact.models import ReportMetric
from portal.core.csvwriter import csv_lines

ZIP_CHUNK_POINTS = 2000


def _metric_rows(version):
    metrics = ReportMetric.objects.filter(run=version.run).order_by("scenario", "order")
    for m in metrics.iterator(chunk_size=500):
        if not is_public_metric(m.key, version):
            continue  # unserved-demand diagnostics are for staff (impact.figures)
        yield [
            version.pk, m.run_id, version.report.facility.slug, version.report.period, m.scenario, m.key, m.label,
            m.unit, m.value, m.p5, m.p50, m.p95,
        ]


def _series_rows(run):
    columns = public_series_columns(run.series_columns or [])
    points = run.points.order_by("timestamp").values_list("timestamp", "values")
    for stamp, values in points.iterator(chunk_size=ZIP_CHUNK_POINTS):
        yield [stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), *(values.get(c) for c in columns)]


def _write_csv(archive, info_for, name, header, rows, digests):
    digest = hashlib.sha256()
    with archive.open(info_for(name), "w") as handle:
        for line in csv_lines(header, rows):
            data = line.encode("utf-8")
            digest.update(data)
            handle.write(data)
    digests[name] = digest.hexdigest()


def _write_bytes(archive, info_for, name, data, digests):
    archive.writestr(info_for(name), data)
    digests[name] = hashlib.sha256(data).hexdigest()


def _readme(version):
    report, run = version.report, version.run
    return (
        f"{report.facility.name}: {report.period_label} — report version {version.number}\n"
        f"Published {version.published_at:%Y-%m-%dT%H:%M:%SZ}; engine {run.engine_version}; GWP set {run.gwp_set}; "
        f"{run.monte_carlo_samples} Monte Carlo samples; input hash {run.input_hash}.\n"
        + (f"What changed in this version: {version.changelog}\n" if version.changelog else "")
        + "\nFiles\n"
        "  metrics.csv          headline figures, base case and scenarios: value (central) and P5/P50/P95\n"
        "  series.csv           hourly base-case series; timestamp_utc is the start of the hour in UTC\n"
        "  assumptions.csv      every input figure the run used, with its range, confidence and source\n"
        "  input_snapshot.json  the complete inputs exactly as the engine saw them\n"
        "  data_dictionary.csv  every column of the CSV files: meaning, unit, source\n"
        "  SHA256SUMS           checksums of the files above (sha256sum -c SHA256SUMS)\n"
        "\nCSV text cells that begin with = + - @ carry a leading apostrophe so that spreadsheets do not\n"
        "run them as formulas; numbers are written as plain numbers.\n"
    )


def build_bundle(version):
    """The bundle as a temporary file (rewound), so a multi-year series never sits in memory whole."""
    run = version.run
    stamp = version.published_at.utctimetuple()[:6]

    def info_for(name):
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    digests = {}
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with zipfile.ZipFile(handle, "w") as archive:
        _write_bytes(archive, info_for, "README.txt", _readme(version).encode("utf-8"), digests)
        _write_csv(archive, info_for, "metrics.csv", [c[0] for c in METRIC_COLUMNS], _metric_rows(version), digests)
        _write_csv(
            archive, info_for, "series.csv", ["timestamp_utc", *public_series_columns(run.series_columns or [])],
            _series_rows(run), digests,
        )
        assumptions = (run.input_snapshot or {}).get("assumptions", [])
        header = [c[0] for c in ASSUMPTION_COLUMNS]
        _write_csv(
            archive, info_for, "assumptions.csv", header, ([row.get(k) for k in header] for row in assumptions), digests
        )
        snapshot = json.dumps(run.input_snapshot, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        _write_bytes(archive, info_for, "input_snapshot.json", snapshot, digests)
        _write_csv(
            archive, info_for, "data_dictionary.csv", ["file", "column", "meaning", "unit", "source"],
            dictionary_rows(public_series_columns(run.series_columns or [])), digests,
        )
        sums = "".join(f"{digest}  {name}\n" for name, digest in digests.items())
        archive.writestr(info_for("SHA256SUMS"), sums.encode("ascii"))
    handle.seek(0)
    return handle
