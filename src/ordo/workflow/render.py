"""Drawing a workflow: Mermaid state diagrams and a plain table."""

from __future__ import annotations

from collections.abc import Mapping

from ordo.workflow.definition import Workflow
from ordo.workflow.loader import format_duration


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def mermaid(workflow: Workflow, language: str = "en", only_into: frozenset[str] | None = None) -> str:
    """A ``stateDiagram-v2`` of the workflow, with timers on their edge labels. ``only_into`` cuts
    it to the transitions into those statuses (one employee's allowed set)."""
    timer_by_transition = {(t.status, t.transition): t for t in workflow.timers}
    lines = ["stateDiagram-v2"]
    for status in workflow.statuses:
        lines.append(f'    state "{_quote(status.label(language))}" as {status.code}')
    lines.append(f"    [*] --> {workflow.initial}")
    for transition in workflow.transitions:
        if only_into is not None and transition.target not in only_into:
            continue
        for source in transition.sources:
            label = transition.label(language)
            timer = timer_by_transition.get((source, transition.code))
            if timer is not None:
                label = f"{label} (after {format_duration(timer.after)})"
            lines.append(f"    {source} --> {transition.target} : {_quote(label)}")
    for status in workflow.statuses:
        if status.final:
            lines.append(f"    {status.code} --> [*]")
    return "\n".join(lines) + "\n"


def table(workflow: Workflow, language: str = "en") -> str:
    """One line per transition: ``code: from, from → to [roles] guards``; for terminals and logs."""
    rows = []
    for t in workflow.transitions:
        roles = ", ".join(sorted(t.roles)) or "system"
        guards = f" guards: {', '.join(g.name for g in t.guards)}" if t.guards else ""
        rows.append(f"{t.code}: {', '.join(t.sources)} → {t.target} [{roles}]{guards}  ({t.label(language)})")
    return "\n".join(rows) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def dot(
    workflow: Workflow,
    language: str = "en",
    after: str = "after {}",
    only_into: frozenset[str] | None = None,
    notes: Mapping[str, str] | None = None,
    fills: Mapping[str, str] | None = None,
    edge_notes: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """Graphviz DOT of the workflow, left to right: final statuses double-circled, timer edges
    dashed and labelled with their delay (``after`` is the wording, ``{}`` the duration).
    ``only_into`` cuts it to the transitions into those statuses (one employee's allowed set).
    ``notes`` adds a line under a status's name and ``fills`` colours its box (the time-in-status
    report); ``edge_notes`` adds to a (source, transition) edge's label (how many left by it)."""
    timer_by_transition = {(t.status, t.transition): t for t in workflow.timers}
    lines = [
        "digraph workflow {",
        '  rankdir=LR; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", fillcolor="#e0e8f9", color="#102a43", fontname="DejaVu Sans"];',
        '  edge [color="#334e68", fontname="DejaVu Sans", fontsize=10];',
        '  start [shape=point, width=0.15, fillcolor="#102a43"];',
    ]
    for status in workflow.statuses:
        extra = ', peripheries=2, fillcolor="#dcfce7"' if status.final else ""
        if fills and status.code in fills:
            extra += f", fillcolor={_dot_quote(fills[status.code])}"
        label = _dot_quote(status.label(language))
        if notes and notes.get(status.code):
            label = label[:-1] + "\\n" + _dot_quote(notes[status.code])[1:]  # a second line
        lines.append(f"  {status.code} [label={label}{extra}];")
    lines.append(f"  start -> {workflow.initial};")
    for transition in workflow.transitions:
        if only_into is not None and transition.target not in only_into:
            continue
        for source in transition.sources:
            label = transition.label(language)
            timer = timer_by_transition.get((source, transition.code))
            style = ""
            if timer is not None:
                label = f"{label} ({after.format(format_duration(timer.after))})"
                style = ", style=dashed"
            if edge_notes and edge_notes.get((source, transition.code)):
                label = f"{label}: {edge_notes[(source, transition.code)]}"
            lines.append(f"  {source} -> {transition.target} [label={_dot_quote(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
