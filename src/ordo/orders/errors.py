from enum import StrEnum


class OrderErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    UNKNOWN_TRANSITION = "unknown_transition"
    STATUS_CHANGED = "status_changed"
    WRONG_STATUS = "wrong_status"
    FORBIDDEN = "forbidden"
    GUARDS_FAILED = "guards_failed"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_ITEM = "unknown_item"
    NO_ITEM_WORKFLOW = "no_item_workflow"
    INVALID_ITEMS = "invalid_items"
    INVALID_CUSTOMER = "invalid_customer"
    INVALID_ASSIGNEE = "invalid_assignee"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    PRESET_INVALID = "preset_invalid"
    STATUS_IN_USE = "status_in_use"
