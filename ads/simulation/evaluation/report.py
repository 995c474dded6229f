"""A simulation's outputs: the terminal table, metrics.json, pacing.png and report.html."""

from __future__ import annotations

import base64
import html
import io
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ads.pacing.experiments.rules import Estimate
from ads.pacing.experiments.service import ArmMetrics
from ads.simulation.runner import SimulationResult

COLUMNS = (
    ("strategy", "strategy", "{}"),
    ("utilization_mean", "util", "{:.2%}"),
    ("utilization_min", "util min", "{:.2%}"),
    ("overdelivery_max", "over max", "{:.2%}"),
    ("pacing_error_mean", "err mean", "{:.2%}"),
    ("pacing_error_max", "err max", "{:.2%}"),
    ("early_exhaustion_share", "early", "{:.2%}"),
    ("volatility_mean", "volatility", "{:.2f}"),
    ("revenue_usd", "revenue $", "{:,.0f}"),
    ("ecpm_usd", "eCPM $", "{:.2f}"),
    ("ecpc_usd", "eCPC $", "{:.2f}"),
    ("floor_share", "at floor", "{:.2%}"),
    ("last_spend_min", "last min", "{:.1%}"),
    ("last_spend_p10", "last p10", "{:.1%}"),
    ("last_spend_median", "last med", "{:.1%}"),
)


def cell(fmt: str, value: object) -> str:
    """A figure in its column's format; "-" where there is none."""
    return "-" if value is None else fmt.format(value)


def table(result: SimulationResult) -> str:
    """The per-strategy summary as a fixed-width table, then the PASS/FAIL target lines."""
    rows = [[title for _, title, _ in COLUMNS]]
    for summary in result.summaries.values():
        data = summary.as_dict()
        rows.append([cell(fmt, data[key]) for key, _, fmt in COLUMNS])
    lines = aligned(rows, text_columns=1)
    any_summary = next(iter(result.summaries.values()))
    lines.append(
        f"\n{any_summary.campaign_days} campaign-days, {any_summary.enough_traffic} with "
        f"enough traffic to fill their budget; scenario "
        f"{result.scenario.name!r}, seed {result.seed}, {result.scenario.days} day(s)"
    )
    lines.append(
        "enough traffic = what the campaign wins in a replay of the same traffic with every "
        "campaign in every auction all day (throttle 1, no budget stop) reaches its budget"
    )
    lines.append(
        "at floor = share of campaign-minutes served at the strategy's lowest rate or below; "
        "last = share of the day gone at a campaign's last charge (enough traffic: lowest, "
        "10th percentile, median)"
    )
    lines.extend(_notes(result))
    if result.checks:
        lines.append("\nTargets for the production controller:")
        lines.extend(check.line() for check in result.checks)
    return "\n".join(lines)


def aligned(rows: list[list[str]], *, text_columns: int) -> list[str]:
    """Rows as fixed-width lines under a rule after the header: the first `text_columns`
    columns left-aligned, the figures right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) if i < text_columns else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _notes(result: SimulationResult) -> list[str]:
    """Warm-up days left out, and which strategies ran on the real stack and were billed."""
    notes = []
    if result.warmup_days:
        notes.append(
            f"metrics leave out the first {result.warmup_days} warm-up day(s): the production "
            "pacer learns each campaign's hourly traffic shape from its own history"
        )
    for name, billed in result.billing.items():
        verdict = "balanced" if billed.balanced else f"{billed.differences} DIFFERENCES"
        notes.append(
            f"{name}: {result.backends[name]}; revenue = the billed ledger "
            f"({billed.days_closed} advertiser-days closed, reconciliation {verdict} over "
            f"{billed.rows_reconciled} campaign-days)"
        )
    for name, billed in result.billing.items():
        if billed.arms:
            notes.append(f"{name}: pacing experiment, arms as the service reports them:")
            notes.extend(f"  {arm_line(a)}" for a in billed.arms)
            notes.append(f"{name}: the same arms measured by the simulator:")
            notes.extend(f"  {arm_line(a)}" for a in result.arms.get(name, []))
    memory = [name for name, kind in result.backends.items() if kind == "memory"]
    if result.billing and memory:
        notes.append(f"in-memory pacing backend: {', '.join(memory)}")
    return notes


def arm_line(arm: ArmMetrics) -> str:
    """One arm: campaigns, then each metric's mean and 95% interval."""

    def ci(e: Estimate) -> str:
        if e.low is None or e.high is None:
            return f"{e.mean:.2%}"
        return f"{e.mean:.2%} [{e.low:.2%}, {e.high:.2%}]"

    return (
        f"{arm.arm.value:<9} {arm.strategy.value:<14} {arm.campaigns:>3} campaigns  "
        f"err {ci(arm.pacing_error)}  util {ci(arm.utilization)}  "
        f"over {ci(arm.overdelivery)}"
    )


def metrics_json(result: SimulationResult) -> dict[str, Any]:
    """All metrics: per strategy the summary and every campaign-day."""
    return {
        "scenario": result.scenario.name,
        "seed": result.seed,
        "days": result.scenario.days,
        "warmup_days": result.warmup_days,
        "backends": result.backends,
        "billing": {
            name: {
                "days_closed": b.days_closed,
                "rows_reconciled": b.rows_reconciled,
                "differences": b.differences,
                "charged_micros": {f"{k[0]}:{k[1]}": v for k, v in sorted(b.charged.items())},
                "experiment_arms": [asdict(a) for a in b.arms],
                "experiment_arms_simulated": [asdict(a) for a in result.arms.get(name, [])],
            }
            for name, b in result.billing.items()
        },
        "summaries": {name: s.as_dict() for name, s in result.summaries.items()},
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in result.checks],
        "campaigns": [
            {
                "key": c.key,
                "name": c.spec.name,
                "currency": c.spec.currency,
                "timezone": c.spec.timezone,
                "budget_type": c.spec.budget_type.value,
                "budget_micros": c.spec.budget_micros,
            }
            for c in result.book
        ],
        "full_competition_micros": (
            {}
            if result.capacity is None
            else {
                f"{k[0]}:{k[1]}": sum(cd.spend_per_minute)
                for k, cd in sorted(result.capacity.days.items())
            }
        ),
        "campaign_days": {
            name: [{**vars(d), "early_exhaustion": d.early_exhaustion} for d in days]
            for name, days in result.days.items()
        },
    }


def write_outputs(result: SimulationResult, out: Path, *, sample: int = 6) -> list[Path]:
    """Write metrics.json, pacing.png and report.html under `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    metrics_path = out / "metrics.json"
    metrics_path.write_text(json.dumps(metrics_json(result), indent=2, default=str))
    try:
        png = figure_png(result, sample=sample)
    except ModuleNotFoundError as missing:  # matplotlib is the optional `plot` extra
        if missing.name != "matplotlib":
            raise
        print("skipped pacing.png and report.html: pip install 'adsbackend[plot]'", file=sys.stderr)
        return [metrics_path]
    png_path = out / "pacing.png"
    png_path.write_bytes(png)
    html_path = out / "report.html"
    html_path.write_text(report_html(result, png))
    return [metrics_path, png_path, html_path]


def figure_png(result: SimulationResult, *, sample: int = 6) -> bytes:
    """Spend vs target over the day for sample campaigns, and pacing error per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    keys = _sample(result, sample)
    cols = 3
    rows = (len(keys) + cols - 1) // cols + 1
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.2 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        curve = result.curves[key]
        budget = max(next(iter(result.runs.values())).days[key].budget_micros, 1)
        hours = [(m + 1) / 60 for m in range(len(curve))]
        ax.plot(hours, curve, color="black", linestyle="--", linewidth=1.2, label="target")
        for name, run in result.runs.items():
            cd = run.days[key]
            total, cumulative = 0, []
            for spent in cd.spend_per_minute:
                total += spent
                cumulative.append(total / max(cd.budget_micros, 1))
            ax.plot(hours, cumulative, linewidth=1.0, label=name)
        spec = result.book[key[0]].spec
        ax.set_title(f"{spec.name} day {key[1]} · {spec.currency} {budget / 1e6:,.0f}", fontsize=9)
        ax.set_xlabel("local hour", fontsize=8)
        ax.set_ylabel("spend / budget", fontsize=8)
        ax.set_ylim(0, 1.15)
    axes.flat[0].legend(fontsize=7)
    for ax in list(axes.flat)[len(keys) : (rows - 1) * cols]:
        ax.axis("off")
    for ax in axes[-1][1:]:
        ax.axis("off")
    dist = axes[-1][0]
    names = list(result.days)
    data = [[100 * d.pacing_error_mean for d in result.days[n] if d.enough_traffic] for n in names]
    dist.boxplot(data, tick_labels=names, showfliers=True)
    dist.set_ylabel("mean pacing error, % of budget", fontsize=8)
    dist.set_title("pacing error per strategy (campaigns with enough traffic)", fontsize=9)
    dist.tick_params(axis="x", labelsize=7, rotation=20)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def report_html(result: SimulationResult, png: bytes) -> str:
    """A self-contained page: the table, the checks and the figure inlined as base64 PNG."""
    image = base64.b64encode(png).decode("ascii")
    title = f"Pacing simulation: {result.scenario.name} (seed {result.seed})"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}"
        ".PASS{color:#070}.FAIL{color:#a00}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(result.scenario.description)}</p>"
        f"<pre>{html.escape(table(result))}</pre>"
        f"<img alt='spend against target and pacing error' src='data:image/png;base64,{image}'>"
        "</body></html>"
    )


def _sample(result: SimulationResult, count: int) -> list[tuple[int, int]]:
    """Campaign-days with enough traffic first (evenly spread by budget), then others."""
    reference = next(iter(result.days.values()))
    full = [(d.campaign, d.day) for d in reference if d.enough_traffic]
    rest = [(d.campaign, d.day) for d in reference if not d.enough_traffic]
    picks = full[:: max(1, len(full) // max(1, count - 1))][: count - 1] + rest[:1]
    return picks[:count]
