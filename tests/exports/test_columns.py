"""Every export column is documented, in file order, the same in docs/exports.md."""

from pathlib import Path

from ads.exports.rows import COLUMNS, HEADER, SELECTED

DOC = Path(__file__).resolve().parents[2] / "docs" / "exports.md"


def test_docs_list_every_column_in_file_order() -> None:
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    documented = [(row.split("`")[1], row.split("| ", 2)[2].removesuffix(" |")) for row in rows]
    assert documented == list(COLUMNS)
    assert set(SELECTED) <= set(HEADER)
