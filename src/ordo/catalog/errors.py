from enum import StrEnum


class CatalogErrorCode(StrEnum):
    UNKNOWN_PRODUCT = "unknown_product"
    INVALID_PRODUCT = "invalid_product"
    PRODUCT_EXISTS = "product_exists"
    INVALID_STOCK = "invalid_stock"
    INVALID_IMPORT = "invalid_import"
    ITEMS_LOCKED = "items_locked"
    MATERIALS_TAKEN = "materials_taken"
    IN_STOCK = "in_stock"
    INVALID_ALERT = "invalid_alert"
    UNKNOWN_ALERT = "unknown_alert"
