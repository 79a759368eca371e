from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from ordo.accounts.partners import partner_link
from ordo.api.app import api
from ordo.catalog.views import alert_page
from ordo.delivery.views import courier_page
from ordo.documents.views import archive_download

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("courier/<str:token>", courier_page, name="courier"),
    path("p/<slug:code>", partner_link, name="partner-link"),
    path("stock-alerts/<str:token>", alert_page, name="stock-alert"),
    path("files/archives/<int:number>", archive_download, name="print-archive"),
    path("", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]
