from enum import StrEnum


class DocumentErrorCode(StrEnum):
    DOCUMENT_EXISTS = "document_exists"
    NO_DOCUMENT = "no_document"
    UNKNOWN_KIND = "unknown_document_kind"
    INVALID_FILE = "invalid_file"
