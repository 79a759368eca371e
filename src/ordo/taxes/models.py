from __future__ import annotations

from django.db import models


class TaxRate(models.Model):
    """A VAT rate of a tax class in a country from a day on: a new rate is a new row with a later
    ``valid_from``, so orders placed before it keep theirs. ``rate`` empty: exempt (no VAT)."""

    country = models.CharField(max_length=2)
    tax_class = models.SlugField(max_length=30)
    rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    valid_from = models.DateField()

    class Meta:
        ordering = ["country", "tax_class", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_class", "valid_from"], name="tax_rate_from_unique"),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=True) | models.Q(rate__gte=0, rate__lt=100), name="tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.country} {self.tax_class} {self.rate if self.rate is not None else 'exempt'} from {self.valid_from}"
        )


class CategoryClass(models.Model):
    """The VAT class of a catalogue category: a product of the category without a class of its
    own takes it (tea in a Polish shop: ``super_reduced``, 5 %)."""

    category = models.CharField(max_length=64, unique=True)
    tax_class = models.SlugField(max_length=30)

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "category classes"

    def __str__(self) -> str:
        return f"{self.category}: {self.tax_class}"
