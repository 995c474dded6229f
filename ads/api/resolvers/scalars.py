"""Custom scalars: exact money, timezone-aware instants, ISO codes. No float near money."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ariadne import ScalarType

from ads.errors import DomainError
from ads.money import is_currency, parse_micros
from ads.time import iso_utc, validate_timezone

datetime_scalar = ScalarType("DateTime")
date_scalar = ScalarType("Date")
micros_scalar = ScalarType("Micros")
big_int_scalar = ScalarType("BigInt")
currency_scalar = ScalarType("CurrencyCode")
timezone_scalar = ScalarType("TimeZone")
json_object_scalar = ScalarType("JSONObject")


@datetime_scalar.serializer
def serialize_datetime(value: datetime) -> str:
    return iso_utc(value)


@datetime_scalar.value_parser
def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("a DateTime is an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{value!r} has no timezone offset (add Z or ±hh:mm)")
    return moment.astimezone(UTC)


@date_scalar.serializer
def serialize_date(value: date) -> str:
    return value.isoformat()


@date_scalar.value_parser
def parse_date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


@micros_scalar.serializer
def serialize_micros(value: int) -> str:
    return str(int(value))


@big_int_scalar.serializer
def serialize_big_int(value: int) -> str:
    return str(int(value))


@micros_scalar.value_parser
def parse_micros_value(value: Any) -> int:
    try:
        return parse_micros(value)
    except DomainError as error:
        raise ValueError(f"{error.message} (a string of digits or an integer)") from None


@currency_scalar.value_parser
def parse_currency(value: Any) -> str:
    if not isinstance(value, str) or not is_currency(value):
        raise ValueError(f"{value!r} is not an active ISO 4217 currency code")
    return value


@timezone_scalar.value_parser
def parse_timezone(value: Any) -> str:
    try:
        return validate_timezone(value)
    except DomainError as error:
        raise ValueError(error.message) from None


@json_object_scalar.value_parser
def parse_json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("targeting must be a JSON object")
    return value


bindables = [
    datetime_scalar,
    date_scalar,
    micros_scalar,
    big_int_scalar,
    currency_scalar,
    timezone_scalar,
    json_object_scalar,
]
