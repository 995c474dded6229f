"""The GraphQL `Money` object: micros plus the advertiser's currency, rendered exactly."""

from __future__ import annotations

from ads.money import format_amount


class Money:
    __slots__ = ("amount_micros", "currency")

    def __init__(self, amount_micros: int, currency: str) -> None:
        self.amount_micros = amount_micros
        self.currency = currency

    @property
    def amount(self) -> str:
        return format_amount(self.amount_micros, self.currency)
