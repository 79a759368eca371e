"""VAT on an order: pure arithmetic on Decimals, no Django. Prices include VAT (consumer shops in
Poland, Finland and Russia show gross prices), or are net and VAT comes on top (B2B).

An order's lines carry the rate in force when it was placed. The order's discounts are spread over
its lines in proportion to their value before any tax is taken out (the largest remainders get the
leftover cents, so the shares add up to the discount exactly); processing fees are a line of their
own at the fee rate. Then, by the rounding rule:

- ``per_line``: each line's tax is rounded to the cent (gross × rate / (100 + rate)), and a rate's
  tax is the sum of its lines' (Poland allows it; Russia's invoices show it);
- ``per_rate``: a rate's tax is computed once on the rate's gross total and rounded, and its lines
  share it by the largest remainders (Poland's and Finland's invoices usually do this).

Either way the lines' taxes add up to the rates' taxes, and net = gross − tax on every line and rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING = ("per_line", "per_rate")


# Named tuples, not frozen dataclasses: every drawing of an order makes a few of each, and a frozen
# dataclass's __init__ (one object.__setattr__ per field) made it a fifth of its VAT.


class Line(NamedTuple):
    """A line's amount after its share of discounts — gross where prices include VAT, else net —
    and its rate in percent (None: exempt)."""

    gross: Decimal
    rate: Decimal | None


class Taxed(NamedTuple):
    gross: Decimal
    net: Decimal
    tax: Decimal
    rate: Decimal | None


class RateTotal(NamedTuple):
    rate: Decimal | None
    gross: Decimal
    net: Decimal
    tax: Decimal


def spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split over ``weights`` in proportion, in cents, adding up exactly (the largest
    remainders get the leftover cents; ties go to the earlier line)."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if total <= 0 or amount == 0:
        return [ZERO for _ in weights]
    cents = int((amount / CENT).to_integral_value(ROUND_HALF_UP))
    exact = [Decimal(cents) * w / total for w in weights]
    floors = [int(e.to_integral_value(ROUND_DOWN)) for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: max(left, 0)]:
        floors[i] += 1
    return [Decimal(f) * CENT for f in floors]


def tax_in(gross: Decimal, rate: Decimal | None) -> Decimal:
    """The tax inside a gross amount, rounded half up to the cent."""
    if rate is None or rate == 0 or gross == 0:
        return ZERO
    return (gross * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_on(net: Decimal, rate: Decimal | None) -> Decimal:
    """The tax added on a net amount, rounded half up to the cent."""
    if rate is None or rate == 0 or net == 0:
        return ZERO
    return (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def taxed(lines: Sequence[Line], rounding: str = "per_line", *, included: bool = True) -> list[Taxed]:
    """Each line with its net and tax under ``rounding``. ``included``: the lines' amounts are
    gross (the tax is inside them); otherwise they are net and the tax comes on top."""
    if rounding not in ROUNDING:
        raise ValueError(f"rounding is one of {ROUNDING}, not {rounding!r}")
    of = tax_in if included else tax_on
    if rounding == "per_line":
        taxes = [of(line.gross, line.rate) for line in lines]
    else:
        taxes = [ZERO] * len(lines)
        for rate in _rates(lines):
            members = [i for i, line in enumerate(lines) if line.rate == rate]
            whole = of(sum((lines[i].gross for i in members), ZERO), rate)
            for i, share in zip(members, spread(whole, [lines[i].gross for i in members]), strict=True):
                taxes[i] = share
    if included:
        return [Taxed(line.gross, line.gross - tax, tax, line.rate) for line, tax in zip(lines, taxes, strict=True)]
    return [Taxed(line.gross + tax, line.gross, tax, line.rate) for line, tax in zip(lines, taxes, strict=True)]


def by_rate(lines: Sequence[Taxed]) -> list[RateTotal]:
    """The totals per rate, highest rate first (exempt last)."""
    found = []
    for rate in _rates(lines):
        members = [line for line in lines if line.rate == rate]
        gross = sum((line.gross for line in members), ZERO)
        tax = sum((line.tax for line in members), ZERO)
        found.append(RateTotal(rate, gross, gross - tax, tax))
    return found


def _rates(lines: Sequence[Line] | Sequence[Taxed]) -> list[Decimal | None]:
    present = {line.rate for line in lines}
    return sorted(present, key=lambda r: (r is None, -(r or 0)))


def order_lines(
    line_totals: Sequence[Decimal],
    rates: Sequence[Decimal | None],
    *,
    discount: Decimal = ZERO,
    fees: Decimal = ZERO,
    fee_rate: Decimal | None = None,
) -> list[Line]:
    """The order's taxable lines: each item's total less its share of ``discount``, then the
    processing fee (if any) at ``fee_rate``."""
    shares = spread(discount, line_totals)
    lines = [Line(total - share, rate) for total, share, rate in zip(line_totals, shares, rates, strict=True)]
    if fees:
        lines.append(Line(fees, fee_rate))
    return lines
