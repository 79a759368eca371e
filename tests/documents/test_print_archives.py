"""Print files come with the order; a job zips them; only then do staff hear of the order, with
links to the card and to the archive, which needs a staff login."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ordo.documents.models import Archive, PrintFile
from ordo.jobs.models import Job
from ordo.jobs.runner import HANDLERS
from ordo.notifications.models import Message
from ordo.orders.models import Order

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 500
JPEG = b"\xff\xd8\xff\xe0" + b"2" * 800
ITEMS = [{"sku": "POSTER", "name": "Poster A2", "quantity": 1, "unit_price": "450.00"}]


@pytest.fixture(autouse=True)
def print_shop(load_preset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_preset("print")


def place(api, files: list[tuple[str, bytes]], order: dict | None = None):
    uploads = [SimpleUploadedFile(name, data, content_type="application/octet-stream") for name, data in files]
    response = api.client.post(
        "/api/v1/orders/with-files",
        {"order": json.dumps(order or {"items": ITEMS}), "files": uploads},
        headers=api.headers,
    )
    return response.status_code, response.json()


def staff_messages(number: int):
    return Message.objects.filter(order__number=number, recipient__in=["manager", "admins"])


def test_staff_hear_of_the_order_when_its_files_are_zipped(customer, admin, smtp, drain):
    status, order = place(customer.api, [("cover.pdf", PDF), ("photo.png", PNG), ("photo.png", JPEG)])
    assert status == 201, order
    number = order["number"]
    assert [f.name for f in PrintFile.objects.filter(order__number=number)] == ["cover.pdf", "photo.png", "photo.png"]
    # Placed: the customer is told, staff wait for the archive job.
    assert not staff_messages(number).exists()
    assert Job.objects.filter(kind="print_archive", order__number=number, status="pending").exists()

    drain()
    (mail,) = smtp.inbox.to("alice-admin@example.org")
    assert mail["Subject"] == f"New order {number}: print files ready"
    text = mail.get_body(("plain",)).get_content()
    assert f"http://127.0.0.1:8000/desk/orders/{number}" in text
    assert f"http://127.0.0.1:8000/files/archives/{number}" in text

    archive = Archive.objects.get(order__number=number)
    with archive.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zipped:
        assert zipped.namelist() == ["01-cover.pdf", "02-photo.png", "03-photo.png"]
        assert [zipped.read(n) for n in zipped.namelist()] == [PDF, PNG, JPEG]
    assert archive.files == 3


def test_the_archive_link_needs_a_staff_login(customer, manager, drain):
    _, order = place(customer.api, [("cover.pdf", PDF)])
    drain()
    path = f"/files/archives/{order['number']}"
    anonymous = Client().get(path)
    assert (anonymous.status_code, anonymous["Location"].startswith("/admin/login/")) == (302, True)
    browser = Client()
    browser.force_login(customer.user)
    assert browser.get(path).status_code == 404
    browser.force_login(manager.user)
    download = browser.get(path)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zipped:
        assert zipped.read("01-cover.pdf") == PDF
    assert browser.get("/files/archives/99999999").status_code == 404


def test_a_file_that_is_not_what_it_claims_places_nothing(customer, tmp_path):
    before = Order.objects.count()
    status, body = place(customer.api, [("cover.pdf", PDF), ("virus.pdf", b"MZ\x90\x00 not a pdf")])
    assert (status, body["error"]) == (422, "invalid_file")
    assert "virus.pdf: not a PDF, PNG, JPEG or TIFF file" in body["detail"]
    assert Order.objects.count() == before
    assert PrintFile.objects.count() == 0
    assert list(tmp_path.rglob("*.pdf")) == []


def test_files_over_the_size_limit_are_refused(customer, settings):
    settings.ORDO_PRINT_FILE_MAX_MB = 1
    status, body = place(customer.api, [("huge.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))])
    assert (status, body["error"]) == (422, "invalid_file")
    assert "huge.pdf: larger than 1 MB" in body["detail"]
    settings.ORDO_PRINT_FILES_MAX = 2
    status, body = place(customer.api, [("a.pdf", PDF)] * 3)
    assert (status, body["error"]) == (422, "invalid_file")


def test_a_bad_order_in_the_form_is_a_validation_error(customer):
    status, body = place(customer.api, [("cover.pdf", PDF)], order={"items": [{"sku": ""}]})
    assert (status, body["error"]) == (422, "validation_error")
    assert Order.objects.count() == 0


def test_an_order_without_files_still_reaches_staff_and_the_job_runs_once(customer, admin, smtp, drain):
    number = customer.api.post("/orders", {"items": ITEMS}).body["number"]
    job = Job.objects.get(kind="print_archive")
    HANDLERS["print_archive"](job)
    HANDLERS["print_archive"](job)  # a repeat after a crash changes nothing
    drain()
    assert Archive.objects.get(order__number=number).files == 0
    assert [m["Subject"] for m in smtp.inbox.to("alice-admin@example.org")] == [
        f"New order {number}: print files ready"
    ]


def test_a_split_order_is_not_announced_as_a_new_one(customer, admin, smtp, drain):
    items = [*ITEMS, {"sku": "BANNER", "name": "Banner", "quantity": 1, "unit_price": "900.00"}]
    number = customer.api.post("/orders", {"items": items}).body["number"]
    drain()
    banner = customer.api.get(f"/orders/{number}").body["items"][1]["id"]
    split = admin.api.post(f"/orders/{number}/links", {"kind": "split", "items": [banner], "reason": "later"})
    assert split.status == 201, split.body
    drain()
    assert Job.objects.filter(kind="print_archive").count() == 1
    assert [m["Subject"] for m in smtp.inbox.to("alice-admin@example.org")] == [
        f"New order {number}: print files ready"
    ]
