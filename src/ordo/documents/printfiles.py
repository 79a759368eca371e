"""Print files and their archive (the print shop): files come with the order (multipart), are
checked by size and by what their bytes are, not by the name or the client's content type; after
the order is placed a job zips them, and only then do staff hear of the new order (the workflow's
``archive_ready`` rule), with links to the order card and to the archive.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ordo.documents.errors import DocumentErrorCode
from ordo.documents.models import Archive, PrintFile
from ordo.errors import DomainError
from ordo.jobs.models import Job
from ordo.jobs.runner import handler
from ordo.notifications.outbox import Event
from ordo.orders.models import Order
from ordo.orders.services import OrderUnit, lock_order
from ordo.workflow.snapshot import SYSTEM

#: What a print file may be, by its first bytes.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
ARCHIVE = "print_archive"


@dataclass(frozen=True)
class Checked:
    upload: UploadedFile
    name: str
    kind: str


def _kind_of(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)


def files_check(uploads: Sequence[UploadedFile]) -> list[Checked]:
    """Every upload's name, size and type, all problems at once; nothing is kept if one is wrong."""
    limit = settings.ORDO_PRINT_FILE_MAX_MB * 1024 * 1024
    if len(uploads) > settings.ORDO_PRINT_FILES_MAX:
        raise DomainError(
            DocumentErrorCode.INVALID_FILE, f"At most {settings.ORDO_PRINT_FILES_MAX} files come with one order."
        )
    checked, problems = [], []
    for upload in uploads:
        name = PurePath((upload.name or "file").replace("\\", "/")).name[:200] or "file"
        kind = _kind_of(upload)
        if upload.size is None or upload.size > limit:
            problems.append(f"{name}: larger than {settings.ORDO_PRINT_FILE_MAX_MB} MB")
        elif kind is None:
            problems.append(f"{name}: not a PDF, PNG, JPEG or TIFF file")
        else:
            checked.append(Checked(upload, name, kind))
    if problems:
        raise DomainError(DocumentErrorCode.INVALID_FILE, "; ".join(problems), problems=problems)
    return checked


def files_attach(order: Order, files: Sequence[Checked]) -> None:
    """Keep the checked files of a new order (in the transaction that places it)."""
    now = timezone.now()
    for checked in files:
        digest = hashlib.sha256()
        for chunk in checked.upload.chunks():
            digest.update(chunk)
        checked.upload.seek(0)
        row = PrintFile(
            order=order, name=checked.name, kind=checked.kind, size=checked.upload.size or 0, uploaded_at=now
        )
        row.sha256 = digest.hexdigest()
        row.file.save(f"{order.number}-{checked.name}", checked.upload, save=False)
        row.save()


def archive_url(order: Order) -> str:
    return f"{settings.ORDO_PUBLIC_URL}/files/archives/{order.number}"


def _entry_names(files: Sequence[PrintFile]) -> list[str]:
    """Names inside the zip: numbered in upload order, so two files called the same both fit."""
    return [f"{n:02d}-{f.name}" for n, f in enumerate(files, start=1)]


@handler(ARCHIVE)
def print_archive(job: Job) -> None:
    """Zip the order's print files, then tell ``archive_ready`` (staff hear of the order now).
    Idempotent: an order with an archive already is left alone."""
    if job.order_id is None or Archive.objects.filter(order_id=job.order_id).exists():
        return
    files = list(PrintFile.objects.filter(order_id=job.order_id).order_by("id"))
    with SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for row, name in zip(files, _entry_names(files), strict=True):
                with row.file.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
        size = buffer.tell()
        buffer.seek(0)
        with transaction.atomic(durable=True):
            number = Order.objects.values_list("number", flat=True).get(pk=job.order_id)
            unit = OrderUnit(lock_order(number), actor=SYSTEM)
            if Archive.objects.filter(order=unit.order).exists():
                return
            made = Archive(order=unit.order, size=size, files=len(files), made_at=unit.now)
            made.file.save(f"{number}.zip", File(buffer), save=False)
            made.save()
            unit.tell(
                Event("archive_ready", key="archive", facts={"archive": archive_url(unit.order), "files": len(files)})
            )
            unit.flush()
