"""Every error code → one HTTP status, in one place. Error bodies are ``{"error", "detail", ...}``."""

from __future__ import annotations

from http import HTTPStatus

from ordo.accounts.errors import AccountErrorCode as A
from ordo.catalog.errors import CatalogErrorCode as C
from ordo.documents.errors import DocumentErrorCode as D
from ordo.orders.errors import OrderErrorCode as O
from ordo.payments.errors import PaymentErrorCode as P

STATUS_OF: dict[str, int] = {
    O.NOT_FOUND: 404,
    O.UNKNOWN_ITEM: 404,
    O.STATUS_CHANGED: 409,
    O.WRONG_STATUS: 409,
    O.IDEMPOTENCY_KEY_REUSED: 409,
    O.STATUS_IN_USE: 409,
    O.FORBIDDEN: 403,
    O.GUARDS_FAILED: 422,
    O.UNKNOWN_TRANSITION: 422,
    O.UNKNOWN_TYPE: 422,
    O.NO_ITEM_WORKFLOW: 422,
    O.INVALID_ITEMS: 422,
    O.INVALID_NOTE: 422,
    O.INVALID_MESSAGE: 422,
    O.INVALID_BULK: 422,
    O.INVALID_COURIER: 422,
    O.INVALID_CHECKOUT: 422,
    O.INVALID_PERIOD: 422,
    O.INVALID_CUSTOMER: 422,
    O.INVALID_ASSIGNEE: 422,
    O.PRESET_INVALID: 422,
    O.CONTRACTOR_UNFIT: 422,
    O.NO_DELIVERY: 422,
    O.UNKNOWN_PARTNER: 422,
    O.INVALID_LINK: 422,
    O.ALREADY_LINKED: 409,
    O.UNKNOWN_LINK: 404,
    O.SPLIT_REFUSED: 409,
    O.INVALID_DISCOUNT: 422,
    O.UNKNOWN_DISCOUNT: 404,
    O.PRICES_LOCKED: 409,
    O.AMOUNT_OUT_OF_RANGE: 422,
    O.VERSION_CONFLICT: 409,
    O.INVALID_TEMPLATE: 422,
    O.INVALID_SETTING: 422,
    P.UNKNOWN_CHANNEL: 422,
    P.CHANNEL_DISABLED: 422,
    P.CHANNEL_LOCKED: 409,
    P.CURRENCY_MISMATCH: 422,
    P.INVALID_AMOUNT: 422,
    P.REFUND_EXCEEDS_PAID: 422,
    P.NOTHING_TO_REFUND: 422,
    P.ITEM_ALREADY_REFUNDED: 409,
    P.WALLET_NEEDS_ACCOUNT: 422,
    P.INSUFFICIENT_FUNDS: 409,
    P.GATEWAY_NOT_CONFIGURED: 422,
    P.GATEWAY_ERROR: 422,
    P.MANUAL_CHANNEL: 422,
    P.ALREADY_PAID: 409,
    P.BAD_SIGNATURE: 400,
    P.UNKNOWN_GATEWAY: 404,
    P.INVALID_WEBHOOK: 400,
    A.UNKNOWN_CUSTOMER: 404,
    C.UNKNOWN_PRODUCT: 422,
    C.INVALID_PRODUCT: 422,
    C.PRODUCT_EXISTS: 409,
    C.INVALID_STOCK: 422,
    C.INVALID_IMPORT: 422,
    C.ITEMS_LOCKED: 409,
    C.MATERIALS_TAKEN: 409,
    D.DOCUMENT_EXISTS: 409,
    D.NO_DOCUMENT: 404,
    D.UNKNOWN_KIND: 422,
    D.INVALID_FILE: 422,
    C.IN_STOCK: 409,
    C.INVALID_ALERT: 422,
    C.UNKNOWN_ALERT: 404,
    A.CUSTOMER_EXISTS: 409,
    A.INVALID_MEMBER: 422,
    A.PARTNER_EXISTS: 409,
    A.INVALID_PARTNER: 422,
    A.UNKNOWN_TOKEN: 404,
    A.INVALID_TIERS: 422,
    A.INVALID_CLAIM: 422,
}

#: Codes for errors raised by the framework rather than by Ordo's services.
GENERIC_CODE = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "throttled",
}


def http_status(code: str) -> int:
    return STATUS_OF.get(code, HTTPStatus.UNPROCESSABLE_ENTITY)
