import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.errors import Invalid
from ads.money import (
    MAX_MICROS,
    decimal_to_micros,
    format_amount,
    format_minor,
    minor_units,
    parse_micros,
    round_to_minor,
    validate_currency,
)


@pytest.mark.parametrize(
    ("code", "digits"), [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("CLF", 4), ("KRW", 0)]
)
def test_minor_units_follow_iso_4217(code: str, digits: int) -> None:
    assert minor_units(code) == digits


@pytest.mark.parametrize("code", ["usd", "XXX", "US", "", "EURO"])
def test_unknown_currencies_are_refused(code: str) -> None:
    with pytest.raises(Invalid, match="ISO 4217"):
        validate_currency(code)


def test_parse_micros_takes_strings_and_ints_but_never_floats() -> None:
    assert parse_micros("9223372036854775807") == MAX_MICROS
    assert parse_micros(15) == 15
    for bad in ("1.5", "", "12a", 1.5, True, "9223372036854775808", "١٢"):
        with pytest.raises(Invalid):
            parse_micros(bad)  # type: ignore[arg-type]


def test_decimal_amounts_convert_exactly() -> None:
    assert decimal_to_micros("12.345678") == 12_345_678
    assert decimal_to_micros("0.1") == 100_000
    with pytest.raises(Invalid, match="6 decimal"):
        decimal_to_micros("0.0000001")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_formatting_round_trips(micros: int) -> None:
    assert decimal_to_micros(format_amount(micros, "USD")) == micros


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["JPY", "USD", "KWD"]))
def test_rounding_to_minor_units_moves_at_most_half_a_unit(micros: int, currency: str) -> None:
    step = 10 ** (6 - minor_units(currency))
    rounded = round_to_minor(micros, currency)
    assert rounded % step == 0
    assert abs(rounded - micros) * 2 <= step


def test_invoice_formatting_uses_the_currency_digits() -> None:
    assert format_minor(1_234_500_000, "JPY") == "1235"
    assert format_minor(1_234_567, "USD") == "1.23"
    assert format_minor(1_234_567, "KWD") == "1.235"
    assert format_minor(5_000, "USD") == "0.01"  # half a cent rounds away from zero


def test_amounts_read_naturally_in_their_currency_and_stay_exact() -> None:
    assert format_amount(12_000_000_000_000, "JPY") == "12000000"
    assert format_amount(1_500_000, "JPY") == "1.5"
    assert format_amount(1_000_000, "USD") == "1.00"
    assert format_amount(1_234_567, "USD") == "1.234567"
    assert format_amount(1_000_000, "KWD") == "1.000"
    assert format_amount(-5, "USD") == "-0.000005"


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["JPY", "USD", "KWD"]))
def test_currency_amounts_round_trip_exactly(micros: int, currency: str) -> None:
    assert decimal_to_micros(format_amount(micros, currency)) == micros


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from(["JPY", "USD", "KWD"]))
def test_rounding_is_half_away_from_zero_as_decimal_rounds(micros: int, currency: str) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    step = 10 ** (6 - minor_units(currency))
    expected = int((Decimal(micros) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
    assert round_to_minor(micros, currency) == expected
    assert round_to_minor(-micros, currency) == -expected
