"""Workflow diagrams for the desk: Graphviz draws the workflow's DOT as SVG (Debian's ``graphviz``,
installed by ``scripts/system-packages.sh``). Drawn once per distinct DOT source (a workflow
version in a language) in each process; without Graphviz the desk asks for it instead."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from functools import lru_cache

from django.utils.translation import gettext as _

from ordo.workflow.definition import Workflow
from ordo.workflow.render import dot


def workflow_svg(
    flow: Workflow,
    language: str,
    only_into: frozenset[str] | None = None,
    notes: Mapping[str, str] | None = None,
    fills: Mapping[str, str] | None = None,
    edge_notes: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """The diagram as inline SVG, or "" when Graphviz is missing or fails; ``only_into`` cuts it
    to the transitions into those statuses (an employee's allowed set); ``notes``, ``fills`` and
    ``edge_notes`` draw a report on it (see ``workflow.render.dot``)."""
    source = dot(
        flow,
        language,
        after=_("after %s") % "{}",
        only_into=only_into,
        notes=notes,
        fills=fills,
        edge_notes=edge_notes,
    )
    return _drawn(source)


@lru_cache(maxsize=64)
def _drawn(source: str) -> str:
    program = shutil.which("dot")
    if program is None:
        return ""
    try:
        done = subprocess.run([program, "-Tsvg"], input=source.encode(), capture_output=True, timeout=10, check=True)
    except (subprocess.SubprocessError, OSError):
        return ""
    svg = done.stdout.decode()
    # Inline in the page: drop the XML prolog and DOCTYPE Graphviz writes before <svg>.
    return svg[svg.find("<svg") :]
