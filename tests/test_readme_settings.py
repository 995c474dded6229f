"""The README's Configuration table is the settings' own declaration, row for row."""

from __future__ import annotations

from pathlib import Path

from ads.config import Settings, documented

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = ["| variable | default | minimum | meaning |", "|---|---|---|---|"]


def expected_table() -> list[str]:
    rows = [f"| `{d.variable}` | {d.default} | {d.minimum} | {d.meaning} |" for d in documented()]
    return [*HEADER, *(row.replace("|  |", "| |") for row in rows)]


def readme_table() -> list[str]:
    """The first table under `## Configuration`."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Configuration")
    table: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append(line.rstrip())
        elif table:
            break
    return table


def test_readme_configuration_table_matches_the_settings() -> None:
    expected, found = expected_table(), readme_table()
    missing = [row for row in expected if row not in found]
    stale = [row for row in found if row not in expected]
    assert found == expected, (
        "README.md's Configuration table differs from ads/config.py; replace it with:\n"
        + "\n".join(expected)
        + "\n\nmissing or different:\n"
        + "\n".join(missing)
        + "\n\nin the README only:\n"
        + "\n".join(stale)
    )


def test_every_setting_is_documented_under_its_variable() -> None:
    variables = [d.variable for d in documented()]
    assert len(variables) == len(Settings.model_fields)
    assert all(v.startswith("ADS_") for v in variables)
    assert len(set(variables)) == len(variables)
    # The documented default is the one a process without the variable gets.
    defaults = Settings.from_env({})
    for doc, name in zip(documented(), Settings.model_fields, strict=True):
        value = getattr(defaults, name)
        if doc.default == "unset":
            assert value is None
        elif doc.default.startswith("`"):
            assert doc.default == f"`{value}`"
