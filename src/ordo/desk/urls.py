from django.urls import path

from ordo.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("counts", views.status_counts, name="counts"),
    path("views", views.saved_view_new, name="view-new"),
    path("views/<int:view_id>/delete", views.saved_view_remove, name="view-delete"),
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
    path("products/pick", views.products_pick, name="products-pick"),
    path("workflows", views.workflows, name="workflows"),
    path("timers", views.timers, name="timers"),
]
