"""Dotted paths into the frozen input dataclasses: read one value, or build a copy with one
value replaced. Used by :class:`~impact.engine.inputs.Scenario` overrides and by
:class:`~impact.engine.inputs.Uncertain` sampling, so both accept exactly the same syntax:
dataclass field names, tuple indices and mapping keys joined by dots, e.g.
``"generators.0.emission_factors_lb_per_mmbtu.nox"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from numbers import Real
from typing import Any

from .errors import EngineInputError
from .inputs import POLLUTANTS


class _Missing(LookupError):
    """Raised internally when a path step does not exist; turned into EngineInputError."""


def _step_get(obj: Any, key: str) -> Any:
    fields = getattr(type(obj), "__dataclass_fields__", None)
    if fields is not None:
        if key not in fields:
            raise _Missing(f"{type(obj).__name__} has no field {key!r}")
        return getattr(obj, key)
    if isinstance(obj, tuple):
        if not key.isdigit() or int(key) >= len(obj):
            raise _Missing(f"index {key!r} is not in a tuple of length {len(obj)}")
        return obj[int(key)]
    if isinstance(obj, Mapping):
        if key not in obj:
            raise _Missing(f"key {key!r} is not set (have: {', '.join(sorted(obj)) or 'none'})")
        return obj[key]
    raise _Missing(f"cannot look inside a {type(obj).__name__}")


def get_path(root: Any, path: str) -> Any:
    """Return the value at ``path``; raise EngineInputError naming the path if it does not exist."""
    obj = root
    for key in path.split("."):
        try:
            obj = _step_get(obj, key)
        except _Missing as exc:
            raise EngineInputError(path, f"no such input ({exc})") from None
    return obj


def path_exists(root: Any, path: str) -> bool:
    """True when :func:`get_path` would succeed."""
    try:
        get_path(root, path)
    except EngineInputError:
        return False
    return True


def _set(obj: Any, keys: list[str], value: Any, allow_new_pollutant_key: bool) -> Any:
    key, rest = keys[0], keys[1:]
    if isinstance(obj, Mapping) and not rest and key not in obj:
        # A scenario may add a pollutant the base left out (e.g. a grid NOx rate); any other
        # missing key is almost certainly a typo, so it stays an error.
        if not (allow_new_pollutant_key and key in POLLUTANTS):
            raise _Missing(f"key {key!r} is not set (have: {', '.join(sorted(obj)) or 'none'})")
        current = None
    else:
        current = _step_get(obj, key)
    new = value if not rest else _set(current, rest, value, allow_new_pollutant_key)
    if dataclasses.is_dataclass(obj):
        return dataclasses.replace(obj, **{key: new})
    if isinstance(obj, tuple):
        i = int(key)
        return obj[:i] + (new,) + obj[i + 1 :]
    copy = dict(obj)
    copy[key] = new
    return copy


def set_path(root: Any, path: str, value: Any, allow_new_pollutant_key: bool = False) -> Any:
    """Return a copy of ``root`` with the value at ``path`` replaced (``root`` is not modified)."""
    try:
        return _set(root, path.split("."), value, allow_new_pollutant_key)
    except _Missing as exc:
        raise EngineInputError(path, f"no such input ({exc})") from None


def is_number(value: Any) -> bool:
    """A real number that is not a bool (True would otherwise count as 1)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def path_is_under(path: str, prefix: str) -> bool:
    """True when ``path`` equals ``prefix`` or lies inside it ("a.b.c" is under "a.b")."""
    return path == prefix or path.startswith(prefix + ".")


def set_paths(root: Any, values: Mapping[str, Any]) -> Any:
    """Like :func:`set_path` for many paths at once, rebuilding each shared parent only once
    (a Monte Carlo chunk sets every uncertain input this way)."""
    if not values:
        return root
    groups: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        head, _, rest = path.partition(".")
        groups.setdefault(head, {})[rest] = value
    changes = {}
    for head, sub in groups.items():
        current = _step_get(root, head)
        changes[head] = sub[""] if "" in sub else set_paths(current, sub)
    if dataclasses.is_dataclass(root):
        return dataclasses.replace(root, **changes)
    if isinstance(root, tuple):
        items = list(root)
        for head, new in changes.items():
            items[int(head)] = new
        return tuple(items)
    copy = dict(root)
    copy.update(changes)
    return copy
