"""Every third-party module that ads/ and workers/ import is a declared requirement."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"ads", "workers"}
#: Requirements of an extra, and the one module allowed to import each.
EXTRAS = {"matplotlib": "ads/simulation/evaluation/report.py"}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in FIRST_PARTY:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.partition(".")[0], set()).add(
                        path.relative_to(REPO).as_posix()
                    )
    return found


def test_imports_are_declared() -> None:
    declared = {
        _normalized(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])
        for req in requires("adsbackend") or []
        if "extra ==" not in req
    }
    distributions = packages_distributions()
    undeclared = {}
    for module, files in _imports().items():
        if module in FIRST_PARTY or module in sys.stdlib_module_names:
            continue
        if module in EXTRAS:
            assert files == {EXTRAS[module]}, f"{module} is an extra, imported by {files}"
            continue
        names = {_normalized(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = sorted(files)
    assert not undeclared, f"imported but not in pyproject's dependencies: {undeclared}"
