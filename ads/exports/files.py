"""Writing an export file with constant memory, and its manifest (rows, totals, SHA-256).

Rows are streamed from the database (`yield_per`: a server-side cursor on PostgreSQL)
straight into the file and the hash; only the per-currency totals stay in memory. The
file is written under a temporary name and renamed, so a reader never sees half a file.
No timestamp goes into the file, so the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ads.exports.rows import COLUMNS, HEADER, export_query, shape
from ads.exports.rules import ExportFormat, ExportSpec

BATCH = 2_000
Progress = Callable[[int], None]


#: The amount columns the manifest totals per currency (exact integer micros).
TOTALED = (
    "charges_micros",
    "overdelivery_not_charged_micros",
    "adjustments_micros",
    "invoiced_amount_micros",
)
_TOTALED_AT = tuple(HEADER.index(name) for name in TOTALED)
_CURRENCY_AT = HEADER.index("currency")


@dataclass
class Manifest:
    row_count: int = 0
    #: Per currency: sums of the amount columns, as exact integer micros.
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    sha256: str = ""
    format: str = "CSV"
    #: False when the period was still open: a re-run may give other rows.
    period_closed: bool = True
    #: The export of the same request whose file this one replaces (its rows changed
    #: since, e.g. a late event re-closed a day), and the one that replaced this one.
    supersedes: int | None = None
    superseded_by: int | None = None
    #: What each column holds, in file order.
    columns: list[dict[str, str]] = field(
        default_factory=lambda: [{"name": n, "description": d} for n, d in COLUMNS]
    )

    def add(self, row: tuple[Any, ...]) -> None:
        self.row_count += 1
        total = self.totals.setdefault(row[_CURRENCY_AT], dict.fromkeys(TOTALED, 0))
        for name, at in zip(TOTALED, _TOTALED_AT, strict=True):
            total[name] += row[at]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls(**json.loads(manifest_path(path).read_text()))

    def write(self, path: Path) -> None:
        manifest_path(path).write_text(self.to_json())


class _Encoder:
    """Turns rows into the bytes of one format."""

    def __init__(self, fmt: ExportFormat) -> None:
        self.fmt = fmt
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    def header(self) -> bytes:
        if self.fmt is ExportFormat.CSV:
            return self.lines([HEADER])
        return b""

    def lines(self, rows: list[tuple[Any, ...]]) -> bytes:
        if self.fmt is ExportFormat.CSV:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._csv.writerows(rows)
            return self._buffer.getvalue().encode()
        # JSONL: micros as strings, because JSON readers turn big integers into floats.
        return "".join(
            json.dumps(
                {
                    k: (str(v) if k.endswith("_micros") else v)
                    for k, v in zip(HEADER, row, strict=True)
                },
                separators=(",", ":"),
            )
            + "\n"
            for row in rows
        ).encode()


def count_rows(connection: Connection, spec: ExportSpec) -> int:
    inner = export_query(spec, connection.dialect.name).order_by(None).subquery()
    return int(connection.scalar(select(func.count()).select_from(inner)) or 0)


def write_export(
    connection: Connection,
    spec: ExportSpec,
    fmt: ExportFormat,
    path: Path,
    *,
    progress: Progress | None = None,
    period_closed: bool = True,
) -> Manifest:
    """Stream the rows of `spec` into `path`; return the manifest (also written beside it)."""
    manifest = Manifest(format=fmt.value, period_closed=period_closed)
    digest = hashlib.sha256()
    encoder = _Encoder(fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    result = connection.execution_options(yield_per=BATCH).execute(
        export_query(spec, connection.dialect.name)
    )
    with partial.open("wb") as out:
        chunk = encoder.header()
        out.write(chunk)
        digest.update(chunk)
        for batch in result.partitions():
            rows = [shape(row) for row in batch]
            for row in rows:
                manifest.add(row)
            chunk = encoder.lines(rows)
            out.write(chunk)
            digest.update(chunk)
            if progress is not None:
                progress(len(rows))
    os.replace(partial, path)
    manifest.sha256 = digest.hexdigest()
    manifest.write(path)
    return manifest


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")
