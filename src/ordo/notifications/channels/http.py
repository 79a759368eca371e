"""A small HTTP client on the standard library, shared by the SMS and webhook adapters."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from ordo.notifications.channels import DeliveryError

TIMEOUT = 15


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, data: bytes, headers: dict[str, str]) -> Reply:
    """POST and return the reply whatever its status; raise a transient ``DeliveryError`` only when
    no reply came (refused, reset, timed out)."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read())
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"no reply from {url}: {error}", permanent=False) from error
