from django.urls import path

from ordo.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("counts", views.status_counts, name="counts"),
    path("views", views.saved_view_new, name="view-new"),
    path("views/<int:view_id>/delete", views.saved_view_remove, name="view-delete"),
    path("bulk", views.bulk_action, name="bulk"),
    path("export", views.order_export, name="export"),
    path("orders/new", views.order_new, name="order-new"),
    path("customers", views.customer_search, name="customers"),
    path("orders/<int:number>", views.order_card, name="order"),
    path("orders/<int:number>/transition", views.order_transition, name="order-transition"),
    path("orders/<int:number>/note", views.order_note, name="order-note"),
    path("orders/<int:number>/payment", views.order_payment, name="order-payment"),
    path("orders/<int:number>/refund", views.order_refund, name="order-refund"),
    path("orders/<int:number>/channel", views.order_channel, name="order-channel"),
    path("orders/<int:number>/assign", views.order_assign, name="order-assign"),
    path("orders/<int:number>/link", views.order_link, name="order-link"),
    path("orders/<int:number>/items", views.order_items, name="order-items"),
    path("orders/<int:number>/details", views.order_details, name="order-details"),
    path("orders/<int:number>/discounts", views.order_discount, name="order-discount"),
    path(
        "orders/<int:number>/discounts/<int:discount_id>/delete",
        views.order_discount_remove,
        name="order-discount-delete",
    ),
    path("orders/<int:number>/documents", views.order_document_issue, name="order-document-issue"),
    path("orders/<int:number>/documents/<int:document_id>", views.order_document, name="order-document"),
    path("orders/<int:number>/<str:paper>.pdf", views.order_paper, name="order-paper"),
    path("orders/<int:number>/print", views.order_print, name="order-print"),
    path("products/pick", views.products_pick, name="products-pick"),
    path("workflows", views.workflows, name="workflows"),
    path("timers", views.timers, name="timers"),
]
