"""Which payment channels can be used now: a channel is offered only where paying through it can
succeed (a card channel needs its gateway's keys)."""

from __future__ import annotations

from ordo.payments.gateways import stripe as stripe_gateway
from ordo.payments.models import PaymentChannel


def usable(channel: PaymentChannel) -> bool:
    """Cash, transfers, the wallet and outside gateways (paid there, told by webhook) always; a
    card channel only when the card gateway is configured."""
    if channel.gateway == PaymentChannel.Gateway.STRIPE:
        return stripe_gateway.configured()
    return True
