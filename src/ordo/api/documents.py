"""An order's documents: invoice, contract and act as PDF. Staff issue and reissue them; the
customer (and staff) list and download them, within the one visibility rule."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from ordo.accounts.roles import actor_for
from ordo.api import schemas as s
from ordo.api.types import Id
from ordo.documents.errors import DocumentErrorCode
from ordo.documents.models import Document
from ordo.documents.services import document_issue
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.permissions import Action, require

router = Router(tags=["documents"])
ERRORS = s.ERRORS


def _documents(request: HttpRequest, number: int):
    selectors.order_ensure_visible(request.user, number)
    require(actor_for(request.user), Action.READ_DOCUMENTS)
    return Document.objects.filter(order__number=number).defer("pdf")


def _json(document: Document, current: bool) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "number": document.number,
        "version": document.version,
        "current": current,
        "language": document.language,
        "issued_at": document.issued_at,
        "issued_by": document.issued_by,
        "reason": document.reason,
        "size": document.size,
        "url": f"/api/v1/orders/{document.order.number}/documents/{document.pk}/pdf",
    }


@router.get("/orders/{number}/documents", response={200: list[s.DocumentOut], **ERRORS}, summary="Documents")
def list_documents(request: HttpRequest, number: Id):
    """Every issued version, newest first; ``current`` marks the latest of each kind."""
    documents = list(_documents(request, number).select_related("order").order_by("kind", "-version"))
    seen: set[str] = set()
    out = []
    for document in documents:
        out.append(_json(document, document.kind not in seen))
        seen.add(document.kind)
    return out


def _issue(request: HttpRequest, number: int, kind: str, language: str, reason: str) -> Document:
    selectors.order_ensure_visible(request.user, number)
    require(actor_for(request.user), Action.ISSUE_DOCUMENTS)
    return document_issue(
        number=number,
        kind=kind,
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
        language=language,
        reissue_reason=reason,
    )


@router.post("/orders/{number}/documents", response={201: s.DocumentOut, **ERRORS}, summary="Issue a document")
def issue_document(request: HttpRequest, number: Id, payload: s.DocumentIn):
    """A new number in the kind's own sequence; 409 ``document_exists`` when it was issued already."""
    document = _issue(request, number, payload.kind, payload.language, "")
    return Status(201, _json(document, True))


@router.post(
    "/orders/{number}/documents/{kind}/versions",
    response={201: s.DocumentOut, **ERRORS},
    summary="Reissue a document",
)
def reissue_document(request: HttpRequest, number: Id, kind: str, payload: s.DocumentReissue):
    """A new version under the same number, from the order as it is now; the old one is kept."""
    document = _issue(request, number, kind, payload.language, payload.reason)
    return Status(201, _json(document, True))


@router.get(
    "/orders/{number}/documents/{document_id}/pdf",
    response={200: None, **ERRORS},
    summary="Download a document",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def download_document(request: HttpRequest, number: Id, document_id: Id):
    document = _documents(request, number).defer(None).filter(pk=document_id).first()
    if document is None:
        raise DomainError(DocumentErrorCode.NO_DOCUMENT, f"Order {number} has no document {document_id}.")
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
