"""ledger append-only in the database: refuse UPDATE and DELETE on ledger_entries

The ORM already refuses (ads.billing.models), but raw SQL, another client or a future
bug would not go through it; the database is where "corrections are new rows" must hold.

PostgreSQL: one plpgsql function raising `restrict_violation`, fired BEFORE UPDATE OR
DELETE FOR EACH ROW. TRUNCATE fires no row trigger: production roles get no TRUNCATE
privilege on the ledger; the test suite empties tables with it between tests.
SQLite: one `RAISE(ABORT, …)` trigger per operation.

Note for later migrations: Alembic's SQLite batch mode rebuilds a table (copy, drop,
rename) and does not carry triggers over; a batch change of ledger_entries must
re-create these triggers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "ledger_entries is append-only: add a correcting entry instead"

POSTGRES_UP = (
    f"""
    CREATE FUNCTION ledger_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()
    """,
)
POSTGRES_DOWN = (
    "DROP TRIGGER ledger_entries_append_only ON ledger_entries",
    "DROP FUNCTION ledger_entries_append_only()",
)
SQLITE_UP = tuple(
    f"""
    CREATE TRIGGER ledger_entries_no_{operation.lower()}
    BEFORE {operation} ON ledger_entries
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE} ({operation} refused)');
    END
    """
    for operation in ("UPDATE", "DELETE")
)
SQLITE_DOWN = (
    "DROP TRIGGER ledger_entries_no_update",
    "DROP TRIGGER ledger_entries_no_delete",
)


def _statements(*, up: bool) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    raise RuntimeError(
        f"no append-only ledger trigger for the {dialect} dialect "
        "(only sqlite and postgresql are supported)"
    )


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
