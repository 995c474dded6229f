"""matplotlib is the optional `plot` extra: without it a simulation still writes its metrics."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ads.simulation.evaluation.report import write_outputs
from ads.simulation.market.scenario import parse_scenario
from ads.simulation.runner import simulate
from tests.simulation.test_runner import TINY


def test_missing_matplotlib_skips_the_figure_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = simulate(parse_scenario(TINY), seed=1, strategies=["no_pacing"])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert write_outputs(result, tmp_path) == [tmp_path / "metrics.json"]
    assert (tmp_path / "metrics.json").exists()
    assert not (tmp_path / "pacing.png").exists()
    assert "pip install 'adsbackend[plot]'" in capsys.readouterr().err
