from __future__ import annotations

from django.db import models

from ordo.orders.models import Order


class Counter(models.Model):
    """A numbering sequence (``invoice:2026``…): ``value`` is the last number given out."""

    name = models.CharField(max_length=50, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class Document(models.Model):
    """One issued version of an order's invoice, contract or act, kept as it was issued: a
    regeneration (only when staff ask) adds a new version under the same number."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CONTRACT = "contract", "Contract"
        ACT = "act", "Act of acceptance"
        CORRECTION = "correction", "Correcting invoice"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    pdf = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    #: A correcting invoice: the invoice (version) it corrects.
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    #: The sums as issued (negative on a correction), kept for the sales register: gross, and with
    #: VAT the net, the tax and ``taxes`` per rate (``[{"rate", "net", "tax", "gross"}]``, rate
    #: null for exempt). Null on documents issued before Ordo kept them.
    gross = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    net = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    tax = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    taxes = models.JSONField(default=list, blank=True)
    #: What a correction corrects: the refund (ledger row) it was issued for.
    refund_id = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            # An invoice's versions are numbered; an order may have many corrections, each its own number.
            models.UniqueConstraint(fields=["order", "kind", "number", "version"], name="document_number_version_once"),
        ]
        indexes = [models.Index(fields=["order", "kind"], name="document_order_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} v{self.version}"

    @property
    def filename(self) -> str:
        suffix = f"-v{self.version}" if self.version > 1 else ""
        return f"{self.kind}-{self.number}{suffix}.pdf".replace("/", "-")


class PrintFile(models.Model):
    """A file the customer sent with a print order, checked by its content (PDF, PNG, JPEG, TIFF)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="print_files")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="print/%Y/%m/", max_length=300)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes) for {self.order_id}"


class Archive(models.Model):
    """The zip of an order's print files, made by a job after the order is placed."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="archive")
    file = models.FileField(upload_to="archives/%Y/%m/", max_length=300)
    size = models.PositiveBigIntegerField()
    files = models.PositiveIntegerField()
    made_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"archive of {self.order_id} ({self.files} files)"
