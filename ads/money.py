"""Money as integer micros: parsing, formatting, ISO 4217 currencies and their minor units."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ads.errors import Invalid

MICROS_PER_UNIT = 1_000_000
#: Largest amount a signed 64-bit column holds.
MAX_MICROS = 2**63 - 1

# ISO 4217 active codes and their minor units (the exponent used on invoices).
# Source: the ISO 4217 list maintained by SIX (amendment 178); codes with "N.A." minor
# units (gold, SDR, test codes) are left out on purpose: nobody is billed in them.
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF ").split(),
        0,
    ),
    **dict.fromkeys(
        ("BHD IQD JOD KWD LYD OMR TND ").split(),
        3,
    ),
    **dict.fromkeys(
        ("CLF UYW ").split(),
        4,
    ),
    **dict.fromkeys(
        (
            "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV "
            "BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK "
            "DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL "
            "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
            "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO "
            "NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
            "SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
            "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG "
        ).split(),
        2,
    ),
}


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code, upper case."""
    return code in _MINOR_UNITS


def minor_units(currency: str) -> int:
    """Digits after the decimal point on invoices: JPY 0, USD 2, KWD 3."""
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        raise Invalid(
            f"unknown ISO 4217 currency code {currency!r}",
            field="currency",
            code="INVALID_CURRENCY",
        ) from None


def validate_currency(code: str) -> str:
    """Return the code if it is an active ISO 4217 currency, else raise Invalid."""
    if not isinstance(code, str) or not is_currency(code):
        raise Invalid(
            f"unknown ISO 4217 currency code {code!r}", field="currency", code="INVALID_CURRENCY"
        )
    return code


def parse_micros(value: str | int, *, field: str = "amountMicros") -> int:
    """An integer count of micros from a string of digits or an int (never a float)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid(
            "money must be an integer number of micros", field=field, code="INVALID_MONEY"
        )
    if isinstance(value, str):
        text = value.strip()
        if not text or not text.lstrip("-").isdigit() or not text.isascii():
            raise Invalid(
                f"{value!r} is not an integer number of micros", field=field, code="INVALID_MONEY"
            )
        value = int(text)
    if not -MAX_MICROS <= value <= MAX_MICROS:
        raise Invalid("amount does not fit in 64 bits of micros", field=field, code="INVALID_MONEY")
    return value


def decimal_to_micros(amount: str, *, field: str = "amount") -> int:
    """Exact conversion of a decimal string ("12.50") to micros; more than 6 decimals is refused."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError):
        raise Invalid(
            f"{amount!r} is not a decimal amount", field=field, code="INVALID_MONEY"
        ) from None
    if not value.is_finite():
        raise Invalid(f"{amount!r} is not a finite amount", field=field, code="INVALID_MONEY")
    micros = value * MICROS_PER_UNIT
    if micros != micros.to_integral_value():
        raise Invalid("amounts have at most 6 decimal places", field=field, code="INVALID_MONEY")
    return parse_micros(int(micros), field=field)


_ZEROS = ("", "0", "00", "000", "0000")


def format_amount(micros: int, currency: str) -> str:
    """Exact decimal with at least the currency's minor digits: "1500", "12.50", "1.000".

    More digits appear only when the amount has them (a fraction of a yen stays visible),
    so the string is always exact and reads naturally in the currency.
    """
    digits = minor_units(currency)
    units, frac = divmod(-micros if micros < 0 else micros, MICROS_PER_UNIT)
    # Whole amounts (most of an export's cells) skip the digit string.
    text = _ZEROS[digits] if frac == 0 else f"{frac:06d}".rstrip("0").ljust(digits, "0")
    whole = f"-{units}" if micros < 0 else str(units)
    return f"{whole}.{text}" if text else whole


def round_to_minor(micros: int, currency: str) -> int:
    """Round micros to the currency's minor unit, half away from zero (invoice rule).

    The result is still in micros (e.g. 1_234_567 USD → 1_230_000).
    """
    step = 10 ** (6 - minor_units(currency))
    # Integer arithmetic (an export rounds every row): a remainder of half a step or
    # more rounds the magnitude up, so halves go away from zero on both signs.
    units, remainder = divmod(abs(micros), step)
    if 2 * remainder >= step:
        units += 1
    return units * step if micros >= 0 else -units * step


def format_minor(micros: int, currency: str) -> str:
    """Decimal string with exactly the currency's minor digits ("1234", "12.35", "1.235")."""
    digits = minor_units(currency)
    rounded = round_to_minor(micros, currency)
    sign = "-" if rounded < 0 else ""
    units, frac = divmod(abs(rounded), MICROS_PER_UNIT)
    if digits == 0:
        return f"{sign}{units}"
    return f"{sign}{units}.{frac // 10 ** (6 - digits):0{digits}d}"
