"""Request and response shapes of the REST API (they are the OpenAPI document too)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from ordo.api.types import Id, Moment, Text

Money = Decimal


class Strict(BaseModel):
    """A request body: plain pydantic, unknown fields refused. (Not ninja's ``Schema``, whose
    validator wraps every nested object for reading Django models: requests are JSON.)"""

    model_config = ConfigDict(extra="forbid")


class MaterialIn(Strict):
    sku: Text = Field(min_length=1, max_length=64, description="A catalog product the item is made of.")
    quantity: int = Field(ge=1, le=1_000_000)


class MaterialsIn(Strict):
    materials: list[MaterialIn] = Field(max_length=50)


class ItemIn(Strict):
    sku: Text = Field(min_length=1, max_length=64)
    name: Text = Field(min_length=1, max_length=300)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Decimal = Field(ge=0, max_digits=11, decimal_places=2)
    target: Text = Field("", max_length=500)
    in_stock: bool = Field(
        True,
        description="For materials not tracked in the catalog: are they in stock? (Catalog ones: `materials`.)",
    )
    category: Text = Field("", max_length=64, description="The product's category: which contractors take it.")
    tax_class: Text = Field(
        "",
        max_length=30,
        description="The VAT class (standard, reduced…) of a line the catalogue does not know; else the product's.",
    )
    materials: list[MaterialIn] = Field(
        default_factory=list,
        max_length=50,
        description="What the item is made of (furniture): production starts when all of it is in stock.",
    )


class CustomerIn(Strict):
    email: Text = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: Text = Field(min_length=1, max_length=200)
    phone: Text = Field("", max_length=40)
    kind: Literal["person", "organization"] = "person"


class OrderIn(Strict):
    type: Text = Field("regular", max_length=30)
    customer: Id | CustomerIn | None = Field(
        None, description="Staff only: an existing customer id, or a customer to find by e-mail or create."
    )
    items: list[ItemIn] = Field(default_factory=list, max_length=500)
    payment_channel: Text = Field("", max_length=30)
    notes: Text = Field("", max_length=10_000)
    external_number: Text = Field("", max_length=64)
    partner_code: Text = Field("", max_length=50, description="The partner who brought the order.")
    delivery_address: Text = Field("", max_length=1_000)
    organization: Id | None = Field(
        None, description="Customers only: order for one of the organizations they belong to (a counterparty)."
    )


class OrderPatch(Strict):
    payment_channel: Text | None = Field(None, max_length=30)
    manager: Id | None = None
    contractor: Id | None = None
    courier: Id | None = None
    external_number: Text | None = Field(None, max_length=64)
    notes: Text | None = Field(None, max_length=10_000)
    delivery_address: Text | None = Field(None, max_length=1_000)
    issued_at: Moment | None = Field(None, description="Set the issue date by hand.")


class TransitionIn(Strict):
    transition: Text = Field(min_length=1, max_length=50)
    expected_status: Text | None = Field(None, max_length=50)
    comment: Text = Field("", max_length=5_000)


class PaymentIn(Strict):
    kind: Literal["payment", "deferral"] = "payment"
    due_date: date | None = Field(None, description="Deferral: when the money is due.")
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    channel: Text = Field("", max_length=30)
    currency: Text = Field("", max_length=3)
    reference: Text = Field("", max_length=100)
    note: Text = Field("", max_length=5_000)


class CodeLabel(Schema):
    code: str
    label: str


class TransitionOption(Schema):
    code: str
    label: str
    to: str
    enabled: bool
    failed_guards: list[dict[str, str]]


class Totals(Schema):
    subtotal: Money
    discount: Money
    fees: Money
    total: Money
    paid: Money
    refunded: Money
    fees_kept: Money = Field(
        Decimal("0.00"),
        description="Processing fees the payment gateway keeps on refunds (PayPal): settled, never returned.",
    )


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    phone: str


class UserRef(Schema):
    id: int
    username: str


class CourierOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    active: bool


class CourierIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    email: Text = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: Text = Field("", max_length=40)
    language: Literal["", "en", "ru", "pl", "fi"] = ""


class AttemptOut(Schema):
    at: datetime
    ok: bool
    permanent: bool
    error: str
    duration_ms: int


class MessageOut(Schema):
    id: int
    event: str
    recipient: str
    channel: str
    status: str
    address: str
    language: str
    subject: str
    attempts: int
    available_at: datetime
    sent_at: datetime | None
    last_error: str
    attempt_log: list[AttemptOut]


class WebhookIn(Strict):
    url: Text = Field(min_length=8, max_length=500, pattern=r"^https?://")
    events: list[Text] = Field(min_length=1, max_length=20)
    description: Text = Field("", max_length=200)


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    consecutive_failures: int
    secret: str | None = None


class ItemOut(Schema):
    id: int
    sku: str
    name: str
    quantity: int
    unit_price: Money
    status: CodeLabel | None
    target: str
    in_stock: bool
    category: str
    reserved: int = Field(description="Units the stock check holds for this item (auto-parts).")
    materials: list[MaterialOut] = Field(description="What the item is made of (furniture).")
    tax_rate: Decimal | None = Field(None, description="The VAT rate in force when the order was placed; null: none.")


class MaterialOut(Schema):
    sku: str
    name: str
    quantity: int


class PartnerRef(Schema):
    id: int
    code: str
    name: str


class DiscountOut(Schema):
    id: int
    name: str
    kind: str
    value: Decimal
    amount: Money
    reason: str
    automatic: bool = Field(description="Set by the customer's discount tier.")


class LinkOut(Schema):
    id: int
    kind: str = Field(description="duplicate, split, subcontract or manual")
    order: int = Field(description="The other order's number.")
    direction: Literal["made", "made_from", "linked"]
    reason: str
    at: datetime
    actor: str


class LinkIn(Strict):
    kind: Literal["duplicate", "split", "subcontract", "manual"]
    items: list[Id] | None = Field(
        None, max_length=500, description="split: the items to move; duplicate, subcontract: the items to copy (all)."
    )
    order: Id | None = Field(None, description="manual: the order to link to.")
    contractor: Id | None = Field(None, description="subcontract: the contractor.")
    reason: Text = Field("", max_length=1_000)


class DiscountIn(Strict):
    name: Text = Field(min_length=1, max_length=100)
    kind: Literal["amount", "percent"]
    value: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    reason: Text = Field("", max_length=1_000)


class CandidateOut(Schema):
    id: int
    username: str
    name: str
    skus: list[str]
    categories: list[str]
    assigned: bool


class TaxRateOut(Schema):
    rate: Decimal | None = Field(description="Percent; null: exempt from VAT.")
    net: Money
    tax: Money
    gross: Money


class TaxesOut(Schema):
    """The order's VAT: prices include it; per rate, by the type's rounding rule."""

    rounding: str = Field(description="per_line or per_rate")
    net: Money
    tax: Money
    rates: list[TaxRateOut]


class OrderOut(Schema):
    number: int
    type: str
    source: str
    workflow: str
    status: CodeLabel
    payment_status: str
    payment_channel: str
    currency: str
    totals: Totals
    customer: CustomerOut
    manager: UserRef | None
    contractor: UserRef | None
    courier: CourierOut | None
    delivery_address: str
    partner: PartnerRef | None
    external_number: str = Field(description="The additional number (an ERP's); the order number by default.")
    notes: str
    items: list[ItemOut]
    discounts: list[DiscountOut]
    links: list[LinkOut]
    placed_at: datetime = Field(description="In the site's time zone.")
    placed_date: date = Field(description="The placed date in the site's time zone.")
    status_since: datetime
    issued_at: datetime | None
    stock_checked_at: datetime | None = Field(description="When the stock check of the reservation finished.")
    expected_issue_at: datetime | None = Field(
        None, description="Placed date + the type's execution time, until issued."
    )
    tracking_url: str
    available_transitions: list[TransitionOption]
    taxes: TaxesOut | None = Field(None, description="VAT per rate; null where the order type keeps none.")


class LinkCreated(Schema):
    link: LinkOut
    order: OrderOut = Field(description="The order the link was made on, as it is now.")


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class HistoryRow(Schema):
    at: datetime
    item: int | None
    from_: str | None = Field(..., alias="from")
    to: str
    transition: str
    actor: str
    kind: str
    comment: str


class LedgerOut(Schema):
    id: int
    kind: str
    state: str
    amount: Money
    fee: Money
    currency: str
    channel: str
    destination: str
    items: list[int]
    reference: str
    note: str
    due_date: date | None
    flagged: bool
    flag_reason: str
    recorded_at: datetime


class RefundIn(Strict):
    destination: Literal["wallet", "processor"]
    items: list[Id] | None = Field(None, max_length=500, description="Refund these items; omit for the whole order.")
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2, description="Or a plain amount.")
    reason: Text = Field("", max_length=2_000)


class PayIn(Strict):
    channel: Text | None = Field(None, max_length=30)
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)


class PayOut(Schema):
    redirect_url: str | None = None
    session: str | None = None
    entry: LedgerOut | None = None
    wallet_balance: Money | None = None
    order: OrderOut


class WalletEntryOut(Schema):
    id: int
    kind: str
    amount: Money
    currency: str
    order: int | None
    note: str
    created_at: datetime


class WalletOut(Schema):
    customer: int
    balances: dict[str, Money]
    entries: list[WalletEntryOut]


class ActivityOut(Schema):
    at: datetime
    actor: str
    kind: str
    detail: dict


class WebhookReceived(Schema):
    received: bool
    outcome: str


class PaymentOut(Schema):
    entry: LedgerOut
    order: OrderOut


class ErrorOut(Schema):
    error: str
    detail: str | list


#: The errors every operation may answer, documented alike: 400 unreadable (too large, too many
#: files, bad cursor or signature), 401 not signed in, 403 the role may not, 404 not found (or not
#: visible), 409 the order moved on or the thing exists, 422 invalid or refused by a rule.
ERRORS: dict[int, type[ErrorOut]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


class TimerIn(Strict):
    status: Text = Field(min_length=1, max_length=50)
    after: Text = Field(min_length=2, max_length=20, description="e.g. 2w, 3d, 24h")
    fire: Text = Field(min_length=1, max_length=50)
    warn_before: Text | None = Field(None, max_length=20)
    warn: list[Text] = Field(default_factory=list, max_length=5)


class TimersIn(Strict):
    timers: list[TimerIn] = Field(max_length=100)
    dry_run: bool = False


class PlannedOut(Schema):
    number: int
    status: str
    transition: str
    to: str
    at: datetime
    kind: str
    blocked_by: list[str]


class TimersOut(Schema):
    workflow: str
    version: int
    saved: bool
    would_move_now: list[PlannedOut]


class WorkflowSummary(Schema):
    code: str
    scope: str
    label: str
    version: int
    statuses: list[CodeLabel]


class WorkflowOut(WorkflowSummary):
    definition: dict


class VersionOut(Schema):
    version: int
    current: bool
    published_at: datetime | None
    published_by: str | None = Field(description="The admin's username; null for a preset load.")
    note: str
    changes: list[str] = Field(description="What this version changed from the one before it.")


class VersionFull(VersionOut):
    definition: dict


class DraftIn(Strict):
    definition: dict = Field(description="The whole workflow as the preset's [[workflows]] table, as JSON.")


class DraftOut(Schema):
    code: str
    base_version: int = Field(description="The version the draft was started from.")
    definition: dict
    problems: list[str] = Field(description="What stops it from being published; empty when none.")
    changes: list[str] = Field(description="What it changes from the current version.")
    in_use: dict[str, int] = Field(description="Statuses it removes that open orders are in, with their count.")
    updated_at: datetime
    updated_by: str | None


class PublishIn(Strict):
    note: Text = Field("", max_length=300)
    move: bool = Field(False, description="Move the open orders of older versions onto the new one.")
    mapping: dict[str, str] = Field(
        default_factory=dict, description="For a move: each removed status in use → the status its orders take."
    )


class PublishOut(Schema):
    version: int
    moved: int
    remapped: dict[str, int]
    changes: list[str]


class BusinessValues(Schema):
    name: str
    address: str
    tax_id: str
    bank: str
    email: str
    phone: str
    logo: str = Field(description="A PNG or JPEG as a data: URL (at most 512 KB); empty: none.")
    delivery_estimate_hours: int
    courier_link_days: int
    payment_due_days: int
    manager_scope: Literal["all", "own"]
    manager_auto_assign: bool
    contractor_auto_assign: bool


class BusinessPatch(Strict):
    """Only the settings named change; each is checked by the same rule the desk's form uses."""

    name: Any = None
    address: Any = None
    tax_id: Any = None
    bank: Any = None
    email: Any = None
    phone: Any = None
    logo: Any = Field(None, description="A PNG or JPEG as a data: URL; an empty string removes it.")
    delivery_estimate_hours: Any = Field(None, description="Whole hours, 1 to 2160.")
    courier_link_days: Any = Field(None, description="Whole days, 1 to 90.")
    payment_due_days: Any = Field(None, description="Whole days, 1 to 365.")
    manager_scope: Any = Field(None, description="'all' or 'own'.")
    manager_auto_assign: Any = None
    contractor_auto_assign: Any = None


class SettingChangeOut(Schema):
    key: str
    old: Any
    new: Any
    at: datetime
    by: str


class BusinessOut(Schema):
    values: BusinessValues
    defaults: BusinessValues = Field(description="The environment's ORDO_* values, used where not set here.")
    set_here: list[str] = Field(description="The settings an admin set (the others follow the environment).")
    history: list[SettingChangeOut]


class TemplateIn(Strict):
    event: Text = Field(max_length=40)
    recipient: Text = Field("", max_length=20, description="Empty: every recipient without a template of their own.")
    channel: Text = Field(max_length=10, description="email or sms")
    language: Text = Field(max_length=8)
    subject: Text = Field("", max_length=1000)
    body: Text = Field(max_length=20_000)


class TemplateOut(Schema):
    event: str
    recipient: str
    channel: str
    language: str
    subject: str
    body: str


class TemplatesOut(Schema):
    events: list[str]
    recipients: list[str]
    channels: list[str]
    languages: list[str]
    placeholders: dict[str, str]
    templates: list[TemplateOut]


class ShippedOut(Schema):
    subject: str
    body: str


class PreviewIn(TemplateIn):
    order: int = Field(ge=1, description="The number of an order to render the template with.")


class PreviewOut(Schema):
    subject: str
    text: str
    html: str


class ConfigIn(Strict):
    toml: str = Field(max_length=2_000_000, description="A preset file, as GET /config writes it.")


class ConfigLoaded(Schema):
    preset: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]


class ReplayIn(Strict):
    start: date
    end: date = Field(description="Inclusive: orders placed on this day are replayed too.")


class RefusedOut(Schema):
    number: int
    at: datetime
    transition: str
    from_status: str
    to_status: str
    reason: Literal["gone", "not_from", "elsewhere"]


class TimerShiftOut(Schema):
    number: int
    status: str
    transition: str
    before: datetime | None
    after: datetime | None


class RemovedOut(Schema):
    number: int
    status: str


class ReplayOut(Schema):
    orders: int
    refused: list[RefusedOut]
    removed: list[RemovedOut]
    timers: list[TimerShiftOut]


class CustomerCreate(Strict):
    kind: Literal["person", "organization"] = "person"
    name: Text = Field(min_length=1, max_length=200)
    email: Text = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: Text = Field("", max_length=40)
    tax_id: Text = Field("", max_length=40)
    address: Text = Field("", max_length=1_000)
    language: Literal["", "en", "ru", "pl", "fi"] = ""


class CustomerRef(Schema):
    id: int
    kind: str
    name: str


class TierRef(Schema):
    name: str
    percent: Decimal
    threshold: Money


class Standing(Schema):
    currency: str
    paid: Money = Field(description="The customer's paid orders in this currency, less refunds.")
    tier: TierRef | None
    next_tier: TierRef | None


class CustomerDetail(Schema):
    id: int
    kind: str
    name: str
    email: str
    phone: str
    tax_id: str
    address: str
    language: str
    registered_by: UserRef | None
    organizations: list[CustomerRef]
    members: list[CustomerRef]
    standing: list[Standing]


class MemberIn(Strict):
    person: Id


class PartnerIn(Strict):
    code: Text = Field(min_length=2, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")
    name: Text = Field(min_length=1, max_length=200)
    email: Text = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    user: Id | None = Field(None, description="The partner's own login (a user with the partner role).")


class PartnerOut(Schema):
    id: int
    code: str
    name: str
    email: str
    active: bool
    link: str


class TokenIn(Strict):
    name: Text = Field("", max_length=100)
    source: Literal["api", "app"] = Field("api", description="What orders placed with the key count as.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    source: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    key: str | None = Field(None, description="Only when the token is made; it cannot be shown again.")


class TierIn(Strict):
    name: Text = Field(min_length=1, max_length=100)
    currency: Text = Field(pattern=r"^[A-Z]{3}$")
    threshold: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    percent: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)


class TiersIn(Strict):
    tiers: list[TierIn] = Field(max_length=100)


class TierOut(Schema):
    id: int
    name: str
    currency: str
    threshold: Money
    percent: Decimal


class ProductIn(Strict):
    sku: Text = Field(min_length=1, max_length=64)
    name: Text = Field(min_length=1, max_length=300)
    price: Decimal = Field(ge=0, max_digits=11, decimal_places=2)
    category: Text = Field("", max_length=64)
    active: bool = True
    tax_class: Text = Field("", max_length=30, description="VAT class; empty: the category's, else standard.")


class ProductPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=300)
    price: Decimal | None = Field(None, ge=0, max_digits=11, decimal_places=2)
    category: Text | None = Field(None, max_length=64)
    active: bool | None = None
    tax_class: Text | None = Field(None, max_length=30)


class ProductOut(Schema):
    sku: str
    name: str
    category: str
    price: Money
    active: bool
    tax_class: str = Field(description="VAT class as set on the product; empty: its category's, else standard.")
    available: int = Field(description="Units free to reserve, over every location.")


class StockOut(Schema):
    location: str
    on_hand: int
    reserved: int
    available: int


class StockSet(Strict):
    location: Text = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    on_hand: int = Field(ge=0, le=1_000_000)


class TrackedItem(Schema):
    name: str
    quantity: int
    target: str
    status: CodeLabel | None


class TrackedStep(Schema):
    at: datetime
    item: str | None = Field(description="The item's name, for an item's status change.")
    status: CodeLabel | None


class CheckoutOut(Schema):
    """What the customer chose at checkout: how the order is received and where, the planned date."""

    shipping: CodeLabel | None
    place: CodeLabel | None
    planned_date: date | None


class TrackingOut(Schema):
    number: int
    status: CodeLabel | None
    payment_status: str
    placed_date: date
    total: Money
    currency: str
    checkout: CheckoutOut
    items: list[TrackedItem]
    timeline: list[TrackedStep]


class DocumentIn(Strict):
    kind: Literal["invoice", "contract", "act"]
    language: Literal["", "en", "ru", "pl", "fi"] = Field("", description="The customer's language when left out.")


class DocumentReissue(Strict):
    reason: Text = Field(min_length=3, max_length=500, description="Why the issued document changes.")
    language: Literal["", "en", "ru", "pl", "fi"] = ""


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    version: int
    current: bool
    language: str
    issued_at: datetime
    issued_by: str
    reason: str
    size: int
    url: str


class AlertIn(Strict):
    email: Text = Field(
        "",
        max_length=254,
        pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Where to write; a signed-in customer's own address when left out.",
    )
    language: Literal["", "en", "ru", "pl", "fi"] = ""


class AlertOut(Schema):
    id: int
    sku: str
    product: str
    email: str
    created_at: datetime
    ended_at: datetime | None
    ended: str


class StockReceipt(Strict):
    location: Text = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    quantity: int = Field(ge=1, le=1_000_000)


class ImportOut(Schema):
    created: int
    updated: int


class LineIn(Strict):
    sku: Text = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Decimal | None = Field(
        None,
        ge=0,
        max_digits=14,
        decimal_places=2,
        description="Managers only: a price other than the line's (a new line's is the catalog's).",
    )
    name: Text = Field("", max_length=300, description="For a SKU the catalog does not know (a free line).")


class ItemsIn(Strict):
    items: list[LineIn] = Field(min_length=1, max_length=500)


class FiguresOut(Schema):
    """One period's figures; money per currency (``{"PLN": "234.00"}``)."""

    start: date
    end: date
    placed: int
    placed_value: dict[str, Money]
    average_order: dict[str, Money]
    revenue: dict[str, Money]
    refunds: dict[str, Money]
    unpaid: int
    unpaid_owed: dict[str, Money]
    partly_paid: int
    partly_owed: dict[str, Money]


class DayOut(Schema):
    day: date
    orders: int
    revenue: dict[str, Money]


class CountOut(Schema):
    code: str
    count: int


class SummaryOut(Schema):
    current: FiguresOut
    previous: FiguresOut = Field(description="The period of the same length just before.")
    days: list[DayOut]
    by_source: list[CountOut]
    by_type: list[CountOut]
    by_payment_channel: list[CountOut]


class ExitOut(Schema):
    transition: str
    count: int


class StatusWaitOut(Schema):
    code: str
    label: str
    count: int = Field(description="Stays in the status that ended in the period.")
    median_seconds: int | None
    p90_seconds: int | None = Field(description="Nearest-rank 90th percentile.")
    left_by: list[ExitOut]


class PersonWaitOut(Schema):
    user: int | None
    count: int
    median_seconds: int | None
    p90_seconds: int | None


class WaitsOut(Schema):
    workflow: str
    start: date
    end: date
    statuses: list[StatusWaitOut]
    managers: list[PersonWaitOut]
    contractors: list[PersonWaitOut]


class RegisterRateOut(Schema):
    rate: Decimal | None = Field(description="Percent; null: exempt.")
    net: Money
    tax: Money


class RegisterEntryOut(Schema):
    number: str
    kind: Literal["invoice", "correction"]
    issued: date
    corrects: str = Field(description="The invoice a correction corrects; empty on an invoice.")
    order: int
    buyer: str
    buyer_tax_id: str
    currency: str
    net: Money | None
    tax: Money | None
    gross: Money | None
    rates: list[RegisterRateOut]
