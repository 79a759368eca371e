"""Reading what people type: whole numbers in ASCII digits only, and item targets that are links
or plain text.

``str.isdigit()`` is true for "²" and "①", which ``int()`` then refuses; every number typed into a
form, a query or a search goes through here instead, so such text is simply "not a number".
"""

from __future__ import annotations

import re


def whole_number(text: str | None, *, max_digits: int = 18) -> int | None:
    """The non-negative whole number ``text`` spells in ASCII digits (at most ``max_digits``); None otherwise."""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


#: Schemes a browser runs or opens locally: never accepted, however the text is spaced.
_DANGEROUS = ("javascript:", "vbscript:", "data:", "file:")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):(\S)", re.IGNORECASE)


def is_web_link(text: str) -> bool:
    """An http(s) URL: what an e-mail or a page may draw as a link."""
    return text.strip().lower().startswith(("http://", "https://"))


def target_problem(text: str) -> str | None:
    """Why an item's target (the page or account a service is for) is refused, or None: a target is
    an http(s) URL or plain text ("@shop", "Instagram: @shop"), never another kind of link."""
    squeezed = "".join(ch for ch in text if ch.isprintable() and not ch.isspace()).lower()
    if squeezed.startswith(_DANGEROUS):
        return "a target is an http(s) link or plain text"
    found = _SCHEME.match(text.strip())
    if found and found.group(1).lower() not in ("http", "https"):
        return "a target is an http(s) link or plain text"
    return None
