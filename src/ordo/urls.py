from django.contrib import admin
from django.contrib.auth import views as auth
from django.urls import include, path, reverse_lazy

from ordo.accounts.partners import partner_link
from ordo.api.app import api
from ordo.catalog.views import alert_page
from ordo.delivery.views import courier_page
from ordo.documents.views import archive_download
from ordo.portal.forms import OutboxPasswordResetForm
from ordo.web.views import icon, switch_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("courier/<str:token>", courier_page, name="courier"),
    path("p/<slug:code>", partner_link, name="partner-link"),
    path("stock-alerts/<str:token>", alert_page, name="stock-alert"),
    path("files/archives/<int:number>", archive_download, name="print-archive"),
    path("language", switch_language, name="set_language"),
    path("favicon.ico", icon),
    # Sign-in for staff and customers alike (throttled by django-axes), and password reset by e-mail.
    path(
        "signin",
        auth.LoginView.as_view(template_name="portal/signin.html", redirect_authenticated_user=True),
        name="signin",
    ),
    path("signout", auth.LogoutView.as_view(), name="signout"),
    path(
        "password-reset",
        auth.PasswordResetView.as_view(
            template_name="portal/reset.html",
            form_class=OutboxPasswordResetForm,
            success_url=reverse_lazy("password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent",
        auth.PasswordResetDoneView.as_view(template_name="portal/reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>",
        auth.PasswordResetConfirmView.as_view(
            template_name="portal/reset_confirm.html", success_url=reverse_lazy("password-reset-done")
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done",
        auth.PasswordResetCompleteView.as_view(template_name="portal/reset_done.html"),
        name="password-reset-done",
    ),
    path("desk/", include("ordo.desk.urls")),
    path("", include("ordo.portal.urls")),
]
