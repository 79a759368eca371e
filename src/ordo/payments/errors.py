from enum import StrEnum


class PaymentErrorCode(StrEnum):
    UNKNOWN_CHANNEL = "unknown_channel"
    CHANNEL_DISABLED = "channel_disabled"
    CHANNEL_LOCKED = "channel_locked"
    CURRENCY_MISMATCH = "currency_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    NOTHING_TO_REFUND = "nothing_to_refund"
    ITEM_ALREADY_REFUNDED = "item_already_refunded"
    WALLET_NEEDS_ACCOUNT = "wallet_needs_account"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    GATEWAY_NOT_CONFIGURED = "gateway_not_configured"
    GATEWAY_ERROR = "gateway_error"
    MANUAL_CHANNEL = "manual_channel"
    ALREADY_PAID = "already_paid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_GATEWAY = "unknown_gateway"
    INVALID_WEBHOOK = "invalid_webhook"
