from django.urls import path

from ordo.portal import shop, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup", views.sign_up, name="signup"),
    path("shop", shop.catalogue, name="shop"),
    path("shop/add", shop.cart_add, name="cart-add"),
    path("shop/cart", shop.cart, name="cart"),
    path("shop/checkout", shop.checkout, name="checkout"),
    path("shop/alert", shop.stock_alert, name="shop-alert"),
    path("orders/<int:number>", views.order_page, name="order"),
    path("orders/<int:number>/transition", views.order_transition, name="order-transition"),
    path("orders/<int:number>/items", views.order_items, name="order-items"),
    path("orders/<int:number>/message", views.order_message, name="order-message"),
    path("orders/<int:number>/pay", views.order_pay_view, name="order-pay"),
    path("wallet", views.wallet, name="wallet"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/end", views.alert_end, name="alert-end"),
    path("track/<str:token>", views.track, name="track"),
    path("claim/<str:token>", views.claim, name="claim"),
    path("confirm-email", views.confirm_again, name="confirm-again"),
]
