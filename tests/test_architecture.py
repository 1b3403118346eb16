"""docs/architecture.md is the map of who may import whom; the code keeps to it and it stays true.

Imports are read from the source (ast), not by importing, so the test needs no database and sees
imports inside functions too.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def declared_rooms():
    block = re.search(r"```rooms\n(.*?)```", DOC.read_text(), re.S)
    assert block, "docs/architecture.md has no ```rooms block"
    rooms = {}
    for line in block.group(1).strip().splitlines():
        room, _, doors = line.partition("->")
        rooms[room.strip()] = {d.strip() for d in doors.split(",") if d.strip()}
    return rooms


def room_of(module, rooms):
    """The most specific room holding ``module`` (impact.engine before impact), or None."""
    best = None
    for room in rooms:
        if (module == room or module.startswith(room + ".")) and (best is None or len(room) > len(best)):
            best = room
    return best


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path):
    """Every module named by an import in ``path``, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            yield module
            for alias in node.names:
                yield f"{module}.{alias.name}"


def actual_doors(rooms):
    doors, where = defaultdict(set), {}
    for path in sorted([*ROOT.joinpath("impact").rglob("*.py"), *ROOT.joinpath("portal").rglob("*.py")]):
        source = room_of(module_name(path), rooms)
        for module in imported_modules(path):
            target = room_of(module, rooms)
            if target and target != source:
                doors[source].add(target)
                where.setdefault((source, target), path.relative_to(ROOT))
    return doors, where


def test_every_import_across_rooms_goes_through_a_door_the_map_lists():
    rooms = declared_rooms()
    doors, where = actual_doors(rooms)
    unlisted = [f"{s} -> {t} (e.g. {where[s, t]})" for s in doors for t in sorted(doors[s]) if t not in rooms.get(s, set())]
    assert not unlisted, "imports docs/architecture.md does not allow:\n" + "\n".join(unlisted)


def test_the_map_lists_no_door_the_code_no_longer_uses():
    rooms = declared_rooms()
    doors, _ = actual_doors(rooms)
    stale = [f"{s} -> {t}" for s, listed in rooms.items() for t in sorted(listed) if t not in doors.get(s, set())]
    assert not stale, "docs/architecture.md lists doors nothing uses (remove them):\n" + "\n".join(stale)


def test_the_engine_imports_no_django():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in ROOT.joinpath("impact", "engine").rglob("*.py")
        for module in imported_modules(path)
        if module == "django" or module.startswith(("django.", "rest_framework", "celery"))
    ]
    assert not offenders, "impact/engine must stay free of Django:\n" + "\n".join(offenders)
