"""Shared number formatting for humans."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money", "signed_money", "signed_int", "percent"]


def money(value: Decimal | None) -> str:
    """``$0.0123`` style: 4 decimals, 6 below a tenth of a cent; ``unpriced`` for None."""
    if value is None:
        return "unpriced"
    if value == 0:
        return "$0"
    places = 4 if abs(value) >= Decimal("0.001") else 6
    return f"${value:.{places}f}"


def signed_money(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    if value == 0:
        return "$0"
    sign = "+" if value > 0 else "-"
    return sign + money(abs(value))


def signed_int(value: int) -> str:
    return f"{value:+,d}" if value else "0"


def percent(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}%"
