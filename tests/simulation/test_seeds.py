"""`ads simulate --seeds`: one scenario over several seeds, side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ads.cli import main
from ads.simulation.evaluation.seeds import parse_seeds

TINY_TOML = """
name = "tiny"
days = 1
warmup_days = 0

[traffic]
opportunities_per_day = 20_000
regions = [{ name = "us", timezone = "America/New_York" }]
surges = [{ region = "us", local_hour = 12.0, minutes = 30, factor = 3.0 }]

[population]
campaigns = 6
currencies = [{ code = "USD", usd_per_unit = 1.0, timezone = "America/New_York" }]
"""


@pytest.mark.parametrize(
    ("text", "seeds"),
    [("1-3,7", [1, 2, 3, 7]), ("4", [4]), ("2,2,1-2", [2, 1]), (" 5 , 6 ", [5, 6])],
)
def test_seed_lists_and_ranges(text: str, seeds: list[int]) -> None:
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "no seeds"), ("a", "integers"), ("3-1", "goes up"), ("-1", "integers"),
     ("1-500", "at most 100"), ("1.5", "integers")],
)  # fmt: skip
def test_bad_seeds_are_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_seeds(text)


def test_simulate_over_seeds_prints_each_and_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_TOML)
    out = tmp_path / "out"
    argv = ["simulate", "--backend", "memory", "--scenario", str(scenario), "--seeds", "1-2",
            "--strategies", "mystique,production", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "seeds.json").read_text())
    assert [run["seed"] for run in data["seeds"]] == [1, 2]
    for run in data["seeds"]:
        assert set(run["summaries"]) == {"no_pacing", "mystique", "production"}
        assert len(run["checks"]) == 5
        assert (out / f"seed-{run['seed']}" / "metrics.json").exists()
    # Each seed's own figures, as the single-seed run of that seed reports them.
    single = json.loads((out / "seed-2" / "metrics.json").read_text())
    assert data["seeds"][1]["summaries"] == single["summaries"]
    rows = [line.split() for line in printed.splitlines()]
    assert any(r[:2] == ["1", "production"] for r in rows)
    assert any(r[:2] == ["2", "mystique"] for r in rows)
    assert "over 2 seeds" in printed
    passed = sum(c["passed"] for run in data["seeds"] for c in run["checks"]
                 if c["name"].startswith("worst overdelivery"))  # fmt: skip
    assert f"{passed}/2  worst overdelivery" in printed


def test_seeds_run_at_once_give_the_same_figures(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_TOML)
    figures = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        argv = ["simulate", "--backend", "memory", "--scenario", str(scenario), "--seeds",
                "1-2", "--strategies", "production", "--jobs", jobs, "--out", str(out)]  # fmt: skip
        assert main(argv) == 0
        figures.append(json.loads((out / "seeds.json").read_text()))
        assert (out / "seed-2" / "metrics.json").exists()
    assert figures[0] == figures[1]


def test_simulate_refuses_bad_input_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["simulate", "--backend", "memory", "--strategies", "nope", "--out", str(out)]) == 1
    assert "unknown strategy 'nope'" in capsys.readouterr().err
    assert main(["simulate", "--scenario", "nowhere", "--out", str(out)]) == 1
    assert "no bundled scenario 'nowhere'" in capsys.readouterr().err
    assert main(["simulate", "--backend", "memory", "--experiment", "high_gain",
                 "--out", str(out)]) == 1  # fmt: skip
    assert "runs on the real backend" in capsys.readouterr().err
    assert main(["simulate", "--seeds", "1-2", "--database-url", "sqlite:///x.db",
                 "--out", str(out)]) == 1  # fmt: skip
    assert "leave it out with --seeds" in capsys.readouterr().err
    assert main(["simulate", "--seeds", "1-2", "--jobs", "0", "--out", str(out)]) == 1
    assert "--jobs is at least 1" in capsys.readouterr().err
    assert main(["simulate", "--jobs", "2", "--out", str(out)]) == 1
    assert "give --seeds" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--seed", "1", "--seeds", "1-2", "--out", str(out)])
    assert exit_info.value.code == 2
    assert not out.exists()
