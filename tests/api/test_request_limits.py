"""Requests too large to read get the API's JSON error, not Django's HTML 400."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def test_a_ten_megabyte_body_gets_a_json_400(load_preset, manager):
    load_preset("shop")
    response = manager.api.post("/orders", raw='{"notes": "' + "x" * 10_000_000 + '"}')
    assert response.status == 400
    assert response.body["error"] == "request_too_large"


def test_more_than_a_hundred_files_get_a_json_400(load_preset, manager):
    load_preset("print")
    files = [SimpleUploadedFile(f"f{i}.pdf", b"%PDF-1.4\n") for i in range(101)]
    response = manager.api.client.post(
        "/api/v1/orders/with-files", {"order": "{}", "files": files}, headers=manager.api.headers
    )
    assert response.status_code == 400
    assert response.json()["error"] == "too_many_files"
