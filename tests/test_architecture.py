"""The shape of the package: the flow sources -> warehouse -> panel -> models -> forecasts ->
read -> api / web / briefs / cli, settings read in one place, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coupwatch"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def where(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_interfaces_import_the_web_server(path):
    if where(path) in ("api", "cli"):
        return
    assert not {m for m in imports(path) if m == "coupwatch.api"
                or m.startswith("coupwatch.api.")}, path


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_below_the_read_layer_imports_it(path):
    # operations.py is the Python API: an interface, as the CLI it mirrors
    if where(path) in ("api", "cli", "briefs", "read", "web", "operations.py"):
        return
    assert not {m for m in imports(path) if m.startswith("coupwatch.read")}, path


def test_settings_are_read_in_one_place():
    readers = [p for p in MODULES if "os.environ" in p.read_text(encoding="utf-8")
               or "getenv(" in p.read_text(encoding="utf-8")]
    assert [p.relative_to(PACKAGE).as_posix() for p in readers] == ["config.py"]


def test_modules_stay_small():
    long = {p.relative_to(PACKAGE).as_posix(): n for p in MODULES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long


def test_every_model_feature_has_words(panel):
    """Drivers are always in plain words: every column a model may use is in the catalog."""
    from coupwatch import catalog
    from coupwatch import panel as panels
    from coupwatch.models import add_context
    from coupwatch.models.base import model_columns

    design = panels.design(add_context(panel))
    missing = [c for c in model_columns(design) if c not in catalog.variables()]
    assert not missing
