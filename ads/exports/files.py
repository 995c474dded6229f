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

from ads.exports.rows import HEADER, export_query, shape
from ads.exports.rules import ExportFormat, ExportSpec

BATCH = 2_000
Progress = Callable[[int], None]


@dataclass
class Manifest:
    row_count: int = 0
    #: Per currency: sums of the three amount columns, as exact integer micros.
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    sha256: str = ""
    format: str = "CSV"
    #: False when the period was still open: a re-run may give other rows.
    period_closed: bool = True

    def add(self, row: tuple[Any, ...]) -> None:
        self.row_count += 1
        total = self.totals.setdefault(
            row[1], {"charges_micros": 0, "overdelivery_credits_micros": 0, "adjustments_micros": 0}
        )
        total["charges_micros"] += row[4]
        total["overdelivery_credits_micros"] += row[5]
        total["adjustments_micros"] += row[6]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2) + "\n"


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
    manifest_path(path).write_text(manifest.to_json())
    return manifest


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")
