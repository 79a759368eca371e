"""The catalog through the API: products, stock per location, arrivals, CSV imports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def upload(api, text: str):
    file = SimpleUploadedFile("catalog.csv", text.encode(), content_type="text/csv")
    response = api.client.post("/api/v1/catalog/import", {"file": file}, headers=api.headers)
    return response.status_code, response.json()


def test_staff_import_a_csv_and_customers_see_active_products_with_what_is_free(admin, customer):
    status, body = upload(
        admin.api,
        "sku,name,price,category,active,location,on_hand\n"
        "OC-90,Oil filter,640.00,filters,1,a1,5\n"
        "OLD-1,Old part,10.00,misc,0,a1,2\n",
    )
    assert (status, body) == (200, {"created": 2, "updated": 0})
    assert [(p["sku"], p["available"]) for p in customer.api.get("/products").body] == [("OC-90", 5)]
    assert [p["sku"] for p in admin.api.get("/products").body] == ["OC-90", "OLD-1"]
    assert customer.api.get("/products/OLD-1").status == 404
    status, body = upload(admin.api, "sku,name,price\nOC-90,Oil filter OC 90,650.00\n")
    assert body == {"created": 0, "updated": 1}
    assert admin.api.get("/products/OC-90").body["price"] == "650.00"


def test_a_bad_csv_changes_nothing_and_names_every_bad_line(admin):
    status, body = upload(admin.api, "sku,name,price,location,on_hand\nA,Thing,1.00,a1,3\nB,,2.00,,\nC,Other,abc,,\n")
    assert (status, body["error"]) == (422, "invalid_import")
    assert body["problems"] == [
        "line 3: sku and name are required (at most 64 and 300 characters)",
        "line 4: price 'abc' is not an amount below 1000000000",
    ]
    assert admin.api.get("/products").body == []
    status, body = upload(admin.api, "code,title\nA,B\n")
    assert "missing column sku" in body["problems"]


def test_arrivals_add_to_a_location_and_counts_set_it(admin):
    admin.api.post("/products", {"sku": "BP-443", "name": "Brake pads", "price": "3200.00"})
    admin.api.post("/products/BP-443/stock/receipts", {"location": "a1", "quantity": 2})
    after = admin.api.post("/products/BP-443/stock/receipts", {"location": "b2", "quantity": 3}).body
    assert [(r["location"], r["on_hand"]) for r in after] == [("a1", 2), ("b2", 3)]
    counted = admin.api._send("put", "/products/BP-443/stock", {"location": "a1", "on_hand": 7}).body
    assert [(r["location"], r["on_hand"]) for r in counted] == [("a1", 7), ("b2", 3)]
    assert admin.api.get("/products/BP-443").body["available"] == 10


def test_only_staff_change_the_catalog(admin, customer):
    assert customer.api.post("/products", {"sku": "X", "name": "X", "price": "1.00"}).status == 403
    admin.api.post("/products", {"sku": "X", "name": "X", "price": "1.00"})
    assert customer.api.get("/products/X/stock").status == 403
    assert customer.api.post("/products/X/stock/receipts", {"location": "a1", "quantity": 1}).status == 403
    assert upload(customer.api, "sku,name,price\nY,Y,1.00\n")[0] == 403
    again = admin.api.post("/products", {"sku": "X", "name": "X", "price": "1.00"})
    assert (again.status, again.body["error"]) == (409, "product_exists")


def test_an_inactive_product_cannot_be_ordered_by_customers(load_preset, admin, customer):
    load_preset("autoparts")
    admin.api.post("/products", {"sku": "OLD", "name": "Old", "price": "1.00", "active": False})
    response = customer.api.post(
        "/orders", {"items": [{"sku": "OLD", "name": "Old", "quantity": 1, "unit_price": "1"}]}
    )
    assert (response.status, response.body["error"]) == (422, "unknown_product")


@pytest.mark.parametrize(
    "text",
    [
        "sku,name,price\nA\rB,Thing,1.00\n",  # a bare carriage return inside a field
        "sku,na\rme,price\nA,Thing,1.00\n",
        "sku,name,price\nA,Thi\x00ng,1.00\n",  # NUL, which PostgreSQL cannot store
        "sku,name,price\nA," + "x" * 301 + ",1.00\n",
        "sku,name,price,category\nA,Thing,1.00," + "c" * 65 + "\n",
        "sku,name,price\nA,Thing,1000000000000.00\n",
        "sku,name,price,location,on_hand\nA,Thing,1.00," + "l" * 51 + ",3\n",
        "sku,name,price,location,on_hand\nA,Thing,1.00,a b/c,3\n",
    ],
)
def test_a_file_no_row_of_which_fits_is_refused_whole_with_a_clear_error(admin, text):
    status, body = upload(admin.api, text)
    assert (status, body["error"]) == (422, "invalid_import"), body
    assert body["detail"]
    assert admin.api.get("/products").body == []
