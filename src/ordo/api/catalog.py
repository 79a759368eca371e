"""``/products``: the catalog, stock per location, CSV imports; and editing an open order's items."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, Sum
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ordo.accounts.models import Role
from ordo.accounts.roles import actor_for, role_of
from ordo.api import schemas as s
from ordo.api.auth import api_auth, guest
from ordo.api.orders import answer
from ordo.api.types import Id, Text
from ordo.catalog import services
from ordo.catalog.alerts import alert_subscribe, alert_unsubscribe
from ordo.catalog.errors import CatalogErrorCode
from ordo.catalog.materials import MaterialLine, materials_set
from ordo.catalog.models import Product, Stock, StockAlert
from ordo.catalog.selectors import alerts_of
from ordo.catalog.services import tax_class_check
from ordo.errors import DomainError
from ordo.orders import selectors
from ordo.orders.errors import OrderErrorCode

router = Router(tags=["catalog"])
ERRORS = s.ERRORS
STAFF = (Role.ADMIN, Role.MANAGER)
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _staff(request: HttpRequest) -> None:
    if role_of(request.user) not in STAFF:
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only staff manage the catalog.")


def _product(sku: str, *, staff: bool) -> Product:
    found = Product.objects.filter(sku=sku).first()
    if found is None or (not found.active and not staff):
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Product {sku} not found.")
    return found


def _json(product: Product, available: int | None = None) -> dict[str, Any]:
    if available is None:
        available = Stock.objects.filter(product=product).aggregate(n=Sum(F("on_hand") - F("reserved")))["n"] or 0
    return {
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price": product.price,
        "active": product.active,
        "tax_class": product.tax_class,
        "available": available,
    }


class ProductQuery(Schema):
    q: Text | None = NinjaField(None, max_length=200)
    category: Text | None = NinjaField(None, max_length=64)
    limit: int = NinjaField(100, ge=1, le=500)


@router.get("/products", response={200: list[s.ProductOut], **ERRORS}, summary="The catalog")
def list_products(request: HttpRequest, query: Query[ProductQuery]):
    """Active products (staff see inactive ones too), with the units free to reserve."""
    products = Product.objects.order_by("sku").annotate(free=Sum(F("stock__on_hand") - F("stock__reserved")))
    if role_of(request.user) not in STAFF:
        products = products.filter(active=True)
    if query.q:
        products = products.filter(Q(sku__iexact=query.q.strip()) | Q(name__icontains=query.q.strip()))
    if query.category:
        products = products.filter(category=query.category)
    return [_json(p, p.free or 0) for p in products[: query.limit]]


@router.post("/products", response={201: s.ProductOut, **ERRORS}, summary="Add a product")
def create_product(request: HttpRequest, payload: s.ProductIn):
    _staff(request)
    return Status(201, _json(services.product_create(**payload.model_dump())))


@router.get("/products/{sku}", response={200: s.ProductOut, **ERRORS}, summary="A product")
def get_product(request: HttpRequest, sku: Text):
    return _json(_product(sku, staff=role_of(request.user) in STAFF))


@router.patch("/products/{sku}", response={200: s.ProductOut, **ERRORS}, summary="Edit a product")
def patch_product(request: HttpRequest, sku: Text, payload: s.ProductPatch):
    _staff(request)
    product = _product(sku, staff=True)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    tax_class_check(changes.get("tax_class", ""))
    for field, value in changes.items():
        setattr(product, field, value)
    product.save(update_fields=list(changes) or None)
    return _json(product)


def _stock(product: Product) -> list[dict[str, Any]]:
    rows = Stock.objects.filter(product=product).select_related("location").order_by("location__code")
    return [
        {"location": r.location.code, "on_hand": r.on_hand, "reserved": r.reserved, "available": r.available}
        for r in rows
    ]


@router.get("/products/{sku}/stock", response={200: list[s.StockOut], **ERRORS}, summary="Stock per location")
def product_stock(request: HttpRequest, sku: Text):
    _staff(request)
    return _stock(_product(sku, staff=True))


@router.put("/products/{sku}/stock", response={200: list[s.StockOut], **ERRORS}, summary="Set a stock count")
def set_stock(request: HttpRequest, sku: Text, payload: s.StockSet):
    """A stocktake: the count at one location. It cannot go below what is held for orders."""
    _staff(request)
    services.stock_set(sku=_product(sku, staff=True).sku, location=payload.location, on_hand=payload.on_hand)
    return _stock(_product(sku, staff=True))


@router.post("/products/{sku}/stock/receipts", response={200: list[s.StockOut], **ERRORS}, summary="Record an arrival")
def receive_stock(request: HttpRequest, sku: Text, payload: s.StockReceipt):
    _staff(request)
    services.stock_receive(sku=_product(sku, staff=True).sku, location=payload.location, quantity=payload.quantity)
    return _stock(_product(sku, staff=True))


@router.post("/catalog/import", response={200: s.ImportOut, **ERRORS}, summary="Import products from CSV")
def import_products(request: HttpRequest, file: File[UploadedFile]):
    """A UTF-8 CSV with a header: ``sku,name,price`` and any of ``category,active,location,on_hand``.
    All rows or none; every bad row is named by its line."""
    _staff(request)
    if file.size is None or file.size > MAX_IMPORT_BYTES:
        raise DomainError(CatalogErrorCode.INVALID_IMPORT, f"The file is larger than {MAX_IMPORT_BYTES} bytes.")
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(CatalogErrorCode.INVALID_IMPORT, "The file is not UTF-8 text.") from error
    result = services.catalog_import(text)
    return {"created": result.created, "updated": result.updated}


@router.put("/orders/{number}/items", response={200: s.OrderOut, **ERRORS}, summary="Edit an open order's items")
def edit_items(request: HttpRequest, number: Id, payload: s.ItemsIn):
    """While the order's status allows edits and nothing is paid: the whole list of SKUs and
    quantities. New lines take their names and prices from the catalog; managers may set a price,
    and add lines the catalog does not know where the order type takes free lines."""
    selectors.order_ensure_visible(request.user, number)
    services.order_items_edit(
        number=number,
        lines=[services.LineEdit(line.sku, line.quantity, line.unit_price, line.name) for line in payload.items],
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number)


@router.put(
    "/orders/{number}/items/{item_id}/materials",
    response={200: s.OrderOut, **ERRORS},
    summary="Set what an item is made of",
)
def set_materials(request: HttpRequest, number: Id, item_id: Id, payload: s.MaterialsIn):
    """Staff name the catalog products an item is made of (furniture), until production takes them
    from stock (then 409 ``materials_taken``). Full payment starts production only when all of
    them are in stock; otherwise the order waits and moves on when they arrive."""
    selectors.order_ensure_visible(request.user, number)
    _staff(request)
    materials_set(
        number=number,
        item_id=item_id,
        lines=[MaterialLine(line.sku, line.quantity) for line in payload.materials],
        actor=actor_for(request.user),
        visible=selectors.orders_visible_to(request.user),
    )
    return answer(request, number)


def _alert_json(alert: StockAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "sku": alert.product.sku,
        "product": alert.product.name,
        "email": alert.email,
        "created_at": alert.created_at,
        "ended_at": alert.ended_at,
        "ended": alert.ended,
    }


@router.post(
    "/products/{sku}/alerts",
    auth=[*api_auth, guest],
    response={200: s.AlertOut, 201: s.AlertOut, **ERRORS},
    summary="Tell me when it is back",
)
def subscribe(request: HttpRequest, sku: Text, payload: s.AlertIn):
    """Anyone, signed in or not, asks for one e-mail when an out-of-stock product is back (a
    guest names the address; a customer's own is the default). 409 ``in_stock`` while it is
    available; asking again while an alert is open returns that alert (200)."""
    product = _product(sku, staff=False)
    customer = getattr(request.user, "customer", None) if role_of(request.user) == Role.CUSTOMER else None
    email = payload.email or (customer.email if customer else "")
    before = StockAlert.objects.filter(product=product, email=email.lower(), ended_at=None).exists()
    alert = alert_subscribe(product=product, email=email, customer=customer, language=payload.language)
    return Status(200 if before else 201, _alert_json(alert))


class AlertQuery(Schema):
    open: bool = NinjaField(False, description="Only alerts still waiting.")
    limit: int = NinjaField(100, ge=1, le=500)


@router.get("/alerts", response={200: list[s.AlertOut], **ERRORS}, summary="Back-in-stock alerts")
def list_alerts(request: HttpRequest, query: Query[AlertQuery]):
    """A customer's own alerts (by account or address); staff see everyone's."""
    alerts = alerts_of(request.user)
    if query.open:
        alerts = alerts.filter(ended_at=None)
    return [_alert_json(a) for a in alerts[: query.limit]]


@router.delete("/alerts/{alert_id}", response={200: s.AlertOut, **ERRORS}, summary="End an alert")
def end_alert(request: HttpRequest, alert_id: Id):
    alert = alerts_of(request.user).filter(pk=alert_id).first()
    if alert is None:
        raise DomainError(CatalogErrorCode.UNKNOWN_ALERT, f"Alert {alert_id} not found.")
    return _alert_json(alert_unsubscribe(alert.token))
