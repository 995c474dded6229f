"""The two date expressions billing needs that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def utc_hour(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC hour of a UTCDateTime column, as text 'YYYY-MM-DD HH' (same on both)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(literal_column("'UTC'"), column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def month_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """The first day of the month of a Date column, as ISO text 'YYYY-MM-01'."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-01")
    return func.strftime("%Y-%m-01", column)
