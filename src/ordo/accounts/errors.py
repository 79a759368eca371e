from enum import StrEnum


class AccountErrorCode(StrEnum):
    UNKNOWN_CUSTOMER = "unknown_customer"
    CUSTOMER_EXISTS = "customer_exists"
    INVALID_MEMBER = "invalid_member"
    PARTNER_EXISTS = "partner_exists"
    INVALID_PARTNER = "invalid_partner"
    UNKNOWN_TOKEN = "unknown_token"
    INVALID_TIERS = "invalid_tiers"
    INVALID_CLAIM = "invalid_claim"
    INVALID_CUSTOMER = "invalid_customer"
