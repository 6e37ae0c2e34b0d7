"""The layers hold, read from the source of every module (imports inside functions too).

Screens and widgets reach the data only through services (no kiosk.db, kiosk.models or
peewee); services, models, rules and the database layer never import Textual.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIOSK = ROOT / "kiosk"


def imported_modules(source: str, module: str) -> set[str]:
    """Every module an import statement anywhere in `source` names (`from a import b` gives
    both "a" and "a.b", since b may be a module); relative imports resolved against `module`."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        parts.append("__init__")  # so relative imports resolve inside the package itself
    return ".".join(parts)


def offences(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        mods = imported_modules(path.read_text(encoding="utf-8"), _module_name(path))
        for mod in sorted(mods):
            if any(mod == f or mod.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)} imports {mod}")
    return out


DATA = ("kiosk.db", "kiosk.models", "kiosk.schema", "peewee", "playhouse")


def test_screens_and_widgets_reach_data_only_through_services():
    found = offences(KIOSK / "screens", DATA) + offences(KIOSK / "widgets", DATA)
    assert not found, "\n".join(found)


def test_domain_never_imports_textual():
    found = []
    for name in ("services", "models", "rules"):
        found += offences(KIOSK / name, ("textual", "rich"))
    for name in ("db.py", "schema.py", "errors.py", "dates.py", "clock.py", "text.py",
                 "capabilities.py"):
        path = KIOSK / name
        mods = imported_modules(path.read_text(encoding="utf-8"), _module_name(path))
        found += [f"{name} imports {m}" for m in mods if m.split(".")[0] in ("textual", "rich")]
    assert not found, "\n".join(found)


def test_the_reader_sees_every_kind_of_import(tmp_path):
    source = (
        "import kiosk.db\n"
        "from kiosk import models\n"
        "def f():\n"
        "    from kiosk.models.concerns import Concern\n"
        "    from ..db import write\n"
        "class C:\n"
        "    def g(self):\n"
        "        import peewee\n"
    )
    mods = imported_modules(source, "kiosk.screens.concerns.form")
    for name in ("kiosk.db", "kiosk.models", "kiosk.models.concerns", "kiosk.screens.db", "peewee"):
        assert name in mods, name
    folder = tmp_path / "kiosk" / "screens"
    folder.mkdir(parents=True)
    (folder / "bad.py").write_text("def f():\n    from kiosk import db\n", encoding="utf-8")
    (folder / "good.py").write_text("from kiosk.services import concerns\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert offences(folder, DATA) == ["kiosk/screens/bad.py imports kiosk.db"]
    finally:
        ROOT = saved


def _calls_importlib(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = (f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else "")
            if name in ("import_module", "find_spec", "__import__"):
                found.append(name)
    return found


def test_no_module_of_ours_is_looked_up_by_name():
    found = []
    for path in sorted(KIOSK.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        calls = _calls_importlib(ast.parse(path.read_text(encoding="utf-8")))
        found += [f"{rel}: {c}" for c in calls]
    assert not found, "\n".join(found)


def test_no_private_helper_is_used_from_another_module():
    """`from kiosk.x import _helper` or `x._helper` across modules: make it public or keep it home."""
    found = []
    for path in sorted(KIOSK.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel.startswith("kiosk/bench/"):
            continue  # the bench measures services from outside, on purpose
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kiosk"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{rel}: from {node.module} import {alias.name}")
                    else:
                        ours.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                ours.update((a.asname or a.name).split(".")[0] for a in node.names
                            if a.name.startswith("kiosk"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in ours and node.attr.startswith("_")
                    and not node.attr.startswith("__") and node.attr != "_meta"):
                found.append(f"{rel}: {node.value.id}.{node.attr}")
    assert not found, "\n".join(found)


def test_no_test_imports_helpers_from_another_test_module():
    """Shared test helpers live in helper modules (tests/console/helpers.py and the like)."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        mods = imported_modules(path.read_text(encoding="utf-8"), _module_name(path))
        found += [f"{path.relative_to(ROOT)} imports {m}" for m in sorted(mods)
                  if m.split(".")[-1].startswith("test_") and m.startswith("tests.")
                  and m.count(".") == 2]
    assert not found, "\n".join(found)
