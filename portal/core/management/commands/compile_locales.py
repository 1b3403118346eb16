"""Compile the project's translation catalogues (.po) into the .mo files Django reads.

Django's own compilemessages needs GNU gettext's msgfmt, which a machine with nothing but Python
lacks; polib compiles in pure Python, so the README's two commands work anywhere. Only the
project's catalogues are compiled (LOCALE_PATHS and the locale/ folder of each app under
BASE_DIR), never those of installed packages, which ship theirs compiled. Fuzzy entries are left
out, as msgfmt does: a guessed translation is not shown to a resident.
"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogues():
    """Every .po file of the project, sorted."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    roots += [Path(app.path) / "locale" for app in apps.get_app_configs() if _ours(Path(app.path).resolve(), base)]
    return sorted({po.resolve() for root in roots if root.is_dir() for po in root.glob("*/LC_MESSAGES/*.po")})


def _ours(path, base):
    """An app of this project: below BASE_DIR, and not a package installed in a virtualenv there."""
    return base in path.parents and "site-packages" not in path.parts


def compile_catalogue(po_path):
    """Write the .mo beside ``po_path`` unless it is newer already; return True when written."""
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    try:
        catalogue = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{po_path}: {exc}") from exc
    for entry in catalogue.fuzzy_entries():
        catalogue.remove(entry)
    catalogue.save_as_mofile(str(mo_path))
    return True


class Command(BaseCommand):
    help = "Compile the project's .po catalogues into .mo files (pure Python; no gettext tools needed)."

    def handle(self, *args, **opts):
        written = [po for po in catalogues() if compile_catalogue(po)]
        for po in written:
            self.stdout.write(f"Compiled {po.relative_to(Path(settings.BASE_DIR).resolve())}")
        if not written:
            self.stdout.write("Translations up to date.")
