"""An answer as plain text: the answer, then its numbered sources (the CLI's output, the chat's copy button)."""

from __future__ import annotations

from qa.types import Answer


def render(answer: Answer) -> str:
    """The readable form: the answer, then numbered sources."""
    lines = [answer.answer]
    if answer.fallback:
        lines.append(f"(note: {answer.fallback})")
    if answer.caution:
        lines.append(f"({answer.caution})")
    if answer.citations:
        lines.append("")
        lines.append("Closest passages:" if answer.abstained else "Sources:")
        for c in answer.citations:
            where = ", ".join(x for x in (c.publisher, c.date) if x)
            label = f"[{c.n}] {c.title}" + (f" ({where})" if where else "")
            if c.kind == "comment":
                label += " — reader comment"
            elif c.kind == "related":
                label += " — related article on the same page"
            lines.append(label)
            lines.append(f"    “{c.shown}”")
            lines.append(f"    {c.source}:{c.start}-{c.end}")
    return "\n".join(lines)

