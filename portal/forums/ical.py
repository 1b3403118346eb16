"""An iCalendar (RFC 5545) file for one meeting, written by hand: one VEVENT needs no library."""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def _escape(text):
    # RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line):
    # RFC 5545 3.1: lines longer than 75 octets are folded with CRLF + one space.
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value):
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting):
    """The .ics text for ``meeting``: times in UTC, which every calendar converts to local time."""
    url = settings.SITE_URL + meeting.get_absolute_url()
    ends = meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)
    description = meeting.agenda or ""
    if meeting.online_url:
        description = f"Join online: {meeting.online_url}\n\n{description}"
    description = f"{description}\n\nQuestions and docket: {url}".strip()
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0] or "portal"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Community Impact Portal//Forum meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
    ]
    location = meeting.place or meeting.online_url
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if meeting.is_cancelled:
        lines.append("STATUS:CANCELLED")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
