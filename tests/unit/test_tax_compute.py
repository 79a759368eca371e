"""VAT arithmetic (pure): for any mix of lines, rates, discounts and fees, the lines' taxes add up
to the order's under the chosen rounding rule, and net + tax = gross everywhere."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ordo.taxes.compute import Line, by_rate, order_lines, spread, tax_in, taxed

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
rates = st.sampled_from(
    [Decimal("23"), Decimal("8"), Decimal("5"), Decimal("0"), Decimal("25.5"), Decimal("13.5"), None]
)


@given(st.lists(st.tuples(money, rates), min_size=1, max_size=12), st.sampled_from(["per_line", "per_rate"]), st.data())
def test_line_taxes_add_up_to_the_orders_tax(items, rounding, data):
    totals = [total for total, _ in items]
    discount = data.draw(st.decimals(min_value=Decimal("0"), max_value=sum(totals), places=2))
    fees = data.draw(st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2))
    lines = order_lines(totals, [rate for _, rate in items], discount=discount, fees=fees, fee_rate=Decimal("23"))
    assert sum(line.gross for line in lines) == sum(totals) - discount + fees
    done = taxed(lines, rounding)
    per_rate = by_rate(done)
    assert sum(r.tax for r in per_rate) == sum(line.tax for line in done)
    assert sum(r.gross for r in per_rate) == sum(totals) - discount + fees
    for line in done:
        assert line.net + line.tax == line.gross
    if rounding == "per_rate":
        for r in per_rate:
            assert r.tax == tax_in(r.gross, r.rate)


@given(
    money,
    st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2), min_size=1, max_size=10),
)
def test_a_spread_adds_up_exactly(amount, weights):
    shares = spread(amount, weights)
    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)


def test_polish_consumer_order_23_and_8_percent():
    lines = order_lines([Decimal("123.00"), Decimal("108.00")], [Decimal("23"), Decimal("8")])
    per_rate = by_rate(taxed(lines))
    assert [(r.rate, r.net, r.tax, r.gross) for r in per_rate] == [
        (Decimal("23"), Decimal("100.00"), Decimal("23.00"), Decimal("123.00")),
        (Decimal("8"), Decimal("100.00"), Decimal("8.00"), Decimal("108.00")),
    ]


def test_the_rounding_rules_differ_only_in_cents():
    lines = [Line(Decimal("0.99"), Decimal("23"))] * 3
    assert sum(t.tax for t in taxed(lines, "per_line")) == Decimal("0.57")  # 0.19 × 3
    assert sum(t.tax for t in taxed(lines, "per_rate")) == Decimal("0.56")  # 2.97 × 23/123


@given(st.lists(st.tuples(money, rates), min_size=1, max_size=12), st.sampled_from(["per_line", "per_rate"]))
def test_net_lines_carry_their_tax_on_top(items, rounding):
    lines = [Line(amount, rate) for amount, rate in items]
    done = taxed(lines, rounding, included=False)
    for line, result in zip(lines, done, strict=True):
        assert result.net == line.gross
        assert result.gross == result.net + result.tax
    per_rate = by_rate(done)
    assert sum(r.net for r in per_rate) == sum(amount for amount, _ in items)
    assert sum(r.tax for r in per_rate) == sum(t.tax for t in done)
