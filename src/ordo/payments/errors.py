from enum import StrEnum


class PaymentErrorCode(StrEnum):
    UNKNOWN_CHANNEL = "unknown_channel"
    CHANNEL_DISABLED = "channel_disabled"
    CHANNEL_LOCKED = "channel_locked"
    CURRENCY_MISMATCH = "currency_mismatch"
    INVALID_AMOUNT = "invalid_amount"
