"""Shared number formatting for humans."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money", "percent", "signed_int", "signed_money"]


def money(value: Decimal | None) -> str:
    """``$0.0123`` style: 4 decimals from a cent up; below, up to 6 decimals with trailing zeros
    dropped (``$0.0021``, ``$0.00175``, ``$0.00021``), and at least 3 significant digits, so
    a cost is never shown as ``$0`` unless it is 0 (``$0.00000002``); ``unpriced`` for None."""
    if value is None:
        return "unpriced"
    if value == 0:
        return "$0"
    if abs(value) >= Decimal("0.01"):
        return f"${value:.4f}"
    places = max(6, 2 - value.adjusted())
    text = f"{value:.{places}f}"
    while text.endswith("0") and len(text.split(".")[1]) > 4:
        text = text[:-1]
    return f"${text}"


def signed_money(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    if value == 0:
        return "$0"
    sign = "+" if value > 0 else "-"
    return sign + money(abs(value))


def signed_int(value: int) -> str:
    return f"{value:+,d}" if value else "0"


def pct(base: Decimal | None, delta: Decimal | None) -> Decimal | None:
    """``delta`` as a percentage of ``base``, to one place; ``None`` without a base to measure by."""
    if base is None or delta is None or base == 0:
        return None
    return (delta * 100 / base).quantize(Decimal("0.1"))


def change(before: Decimal, after: Decimal) -> str:
    """`` (+$0.0015, +35.7%)``: how a total moved, or "" when it did not."""
    delta = after - before
    if not delta:
        return ""
    return f" ({signed_money(delta)}, {percent(pct(before, delta))})"


def percent(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}%"


#: The widest a node id is shown in the terminal's tables; the JSON report and the PR comment keep it whole.
SHOWN_ID_WIDTH = 100


def shown_id(nodeid: str, width: int = SHOWN_ID_WIDTH) -> str:
    """``nodeid`` cut in the middle to ``width`` characters, keeping its test's name and the end of
    its parameters: one id thousands of characters long (a prompt as a parameter) pushed every
    row's numbers past it (hardening 3)."""
    if len(nodeid) <= width:
        return nodeid
    head = (width - 3) // 2
    return nodeid[:head] + "..." + nodeid[len(nodeid) - (width - 3 - head) :]
