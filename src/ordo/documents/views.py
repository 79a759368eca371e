"""The print archive's download link from the staff e-mail: staff sign in first (the link is
useless to anyone else), and see only archives of orders within their view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from ordo.accounts.models import STAFF_ROLES
from ordo.accounts.roles import role_of
from ordo.documents.models import Archive
from ordo.orders.selectors import orders_visible_to


@require_GET
@login_required(login_url="/admin/login/")
def archive_download(request: HttpRequest, number: int) -> FileResponse:
    if role_of(request.user) not in STAFF_ROLES:
        raise Http404("No such archive.")
    archive = Archive.objects.filter(order__in=orders_visible_to(request.user).filter(number=number)).first()
    if archive is None:
        raise Http404("No such archive.")
    response = FileResponse(archive.file.open("rb"), as_attachment=True, filename=f"order-{number}-print-files.zip")
    response["Cache-Control"] = "private, no-store"
    return response
