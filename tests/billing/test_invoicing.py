"""Property tests of invoice rounding: the total is the sum of lines, the residue exact."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ads.billing.domain.invoice_rules import LineInput, build_invoice
from ads.money import round_to_minor

lines = st.lists(
    st.builds(
        LineInput,
        campaign_id=st.none() | st.integers(1, 20),
        exact_micros=st.integers(-(10**12), 10**12),
    ),
    max_size=30,
)


@given(st.sampled_from(["USD", "JPY", "KWD", "EUR", "CLF"]), lines)
def test_total_is_sum_of_lines_and_each_line_is_rounded_by_the_rule(
    currency: str, inputs: list[LineInput]
) -> None:
    invoice = build_invoice(currency, inputs)
    assert invoice.total_micros == sum(line.amount_micros for line in invoice.lines)
    assert invoice.exact_micros == sum(i.exact_micros for i in inputs)
    assert invoice.total_micros + invoice.residue_micros == invoice.exact_micros
    per_campaign: dict[int | None, int] = {}
    for item in inputs:
        per_campaign[item.campaign_id] = per_campaign.get(item.campaign_id, 0) + item.exact_micros
    assert {line.campaign_id: line.amount_micros for line in invoice.lines} == {
        cid: round_to_minor(v, currency) for cid, v in per_campaign.items()
    }
    step = 10 ** (6 - {"USD": 2, "JPY": 0, "KWD": 3, "EUR": 2, "CLF": 4}[currency])
    assert all(line.amount_micros % step == 0 for line in invoice.lines)
    assert all(abs(line.exact_micros - line.amount_micros) * 2 <= step for line in invoice.lines)


def test_jpy_lines_are_whole_yen_half_away_from_zero() -> None:
    invoice = build_invoice(
        "JPY", [LineInput(1, 1_500_000), LineInput(2, 2_499_999), LineInput(3, -500_000)]
    )
    assert [line.amount_micros for line in invoice.lines] == [2_000_000, 2_000_000, -1_000_000]
    assert invoice.total_micros == 3_000_000
    assert invoice.residue_micros == 499_999
