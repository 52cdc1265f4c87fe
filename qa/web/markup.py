"""HTML for the chat: answers with citation chips, sources, an article with its passage marked.

Everything that comes from a user or an article is escaped here, so a
question or an article holding ``<script>`` or a ``javascript:`` link is
shown as the text it is. The chat renders these strings without Markdown.

A chip or source links to ``#cite-T-N`` (turn T of the conversation,
citation N); the chat resolves that against its own record of the answers,
so nothing a page sends back is trusted as a file name or an offset.
"""

from __future__ import annotations

import re
from html import escape

from index.chunking import is_markdown, is_rst, is_web_page, readable
from index.clean import mask_html
from index.reading import readable_article
from index.sentences import soft_breaks
from index.types import Document
from qa.explain import SHOWN_CANDIDATES
from qa.types import Answer, Citation

# A marker with the stop or the quotation mark that closes its sentence: they stay on one line.
_CITED = re.compile(r"\[(\d+)\]([.,;:!?)\]”’\"']*)")
_CITE = re.compile(r"^cite-(\d+)-(\d+)$")
CONTEXT_CHARS = 280  # of the paragraph shown either side of a quote in the sources panel

KIND_LABELS = {"comment": "Reader comment", "related": "Related article on the same page"}


def cite_ref(turn: int, n: int) -> str:
    return f"cite-{turn}-{n}"


def parse_cite_ref(ref: str) -> tuple[int, int] | None:
    """``(turn, n)`` from a ``cite-T-N`` reference, or None if it is not one."""
    m = _CITE.match(ref.lstrip("#"))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _chip(turn: int, c: Citation) -> str:
    title = c.title + (f" — {KIND_LABELS[c.kind].lower()}" if c.kind in KIND_LABELS else "")
    # A screen reader would say only the digit; the name says whose source it is. The
    # chat's sanitizer drops aria-* attributes from messages: chat_a11y.js puts this
    # one back there, from the same two parts (the number and the title).
    return (
        f'<a class="qa-chip" href="#{cite_ref(turn, c.n)}" title="{escape(title)}" '
        f'aria-label="Source {c.n}: {escape(title)}">{c.n}</a>'
    )


def _with_chips(text: str, turn: int, citations: list[Citation]) -> str:
    by_n = {c.n: c for c in citations}

    def chip(m: re.Match[str]) -> str:
        c = by_n.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        # A chip is an inline block, after which a line may break, even before the full stop.
        return f'<span class="qa-marker">{_chip(turn, c)}{m.group(2)}</span>' if m.group(2) else _chip(turn, c)

    # Escaping leaves "[n]" as it is, and quotation marks too (quote=False: this is
    # text, not an attribute), so markers and what closes their sentence are found in it.
    return _CITED.sub(chip, escape(text, quote=False))


def answer_html(answer: Answer, turn: int) -> str:
    """A finished answer: its text with chips; an abstention looks unlike an answer."""
    body = f'<p class="qa-text">{_with_chips(answer.answer, turn, answer.citations)}</p>'
    if answer.fallback:
        body += f'<p class="qa-note">Note: {escape(answer.fallback)}</p>'
    if answer.caution:
        body += f'<p class="qa-note qa-caution">{escape(answer.caution)}</p>'
    if answer.conversation:
        return f'<div class="qa-answer qa-conversation">{body}</div>'
    if answer.abstained:
        return f'<div class="qa-abstained"><div class="qa-badge">Not found in the articles</div>{body}</div>'
    return f'<div class="qa-answer">{body}</div>'


def pending_html(text: str) -> str:
    """An answer still being streamed (its chips come with the verified answer)."""
    return f'<div class="qa-answer qa-pending"><p class="qa-text">{escape(text)}</p></div>'


def progress_html() -> str:
    """In place of a model's draft, which is shown only once every sentence is checked."""
    return (
        '<div class="qa-answer qa-pending qa-checking" role="status">'
        '<p class="qa-text">Writing the answer and checking each sentence against the articles…</p></div>'
    )


def notice_html(message: str, hint: str = "") -> str:
    """A problem with the question or the server, in place of an answer."""
    hint_html = f'<p class="qa-hint">{escape(hint)}</p>' if hint else ""
    return f'<div class="qa-error"><div class="qa-badge">Could not answer</div><p class="qa-text">{escape(message)}</p>{hint_html}</div>'


def question_html(question: str) -> str:
    return f'<span class="qa-question">{escape(question)}</span>'


def passage_in_paragraph(
    text: str, start: int, end: int, context: int = CONTEXT_CHARS, markdown: bool = False, rst: bool = False
) -> tuple[str, str, str]:
    """The quote ``text[start:end]`` with the rest of its paragraph (a line of the file) either side.

    Long paragraphs are cut at a word boundary about ``context`` characters
    away from the quote, marked with an ellipsis.
    """
    soft = soft_breaks(text, markdown, rst)  # a wrapped paragraph's line breaks are not its ends
    p_start = text.rfind("\n", 0, start)
    while p_start in soft:
        p_start = text.rfind("\n", 0, p_start)
    p_start += 1
    p_end = text.find("\n", end)
    while p_end in soft:
        p_end = text.find("\n", p_end + 1)
    p_end = len(text) if p_end < 0 else p_end
    before, after = text[p_start:start], text[end:p_end]
    if len(before) > context:
        cut = before.find(" ", len(before) - context)
        before = "…" + before[cut + 1 if cut >= 0 else len(before) - context :]
    if len(after) > context:
        cut = after.rfind(" ", 0, context)
        after = after[: cut if cut > 0 else context] + "…"
    return before.lstrip(), text[start:end], after.rstrip()


def _meta_line(c: Citation) -> str:
    parts = [escape(p) for p in (c.publisher, c.date) if p]
    if c.kind in KIND_LABELS:
        parts.append(f'<span class="qa-kind qa-kind-{escape(c.kind)}">{KIND_LABELS[c.kind]}</span>')
    return " · ".join(parts)


def sources_html(answer: Answer, turn: int, texts: dict[str, str]) -> str:
    """The sources panel: each citation's title, publisher, date and quote inside its paragraph.

    ``texts`` maps a source to its file's text; a source missing from it is
    shown with its quote alone.
    """
    if answer.conversation:
        return empty_sources_html()
    if not answer.citations:
        return empty_sources_html("No passages to show for this question.")
    if answer.abstained:
        head = '<h3>Closest passages</h3><p class="qa-muted">The articles do not answer this; these passages came closest.</p>'
    else:
        head = "<h3>Sources</h3>"
    items = []
    masked: dict[str, str] = {}  # a page cited twice is masked once
    for c in answer.citations:
        ref = cite_ref(turn, c.n)
        text = texts.get(c.source)
        if text is not None and text[c.start : c.end] == c.quote:
            # A web page's paragraphs are its blocks; blanking the markup keeps every offset.
            if is_web_page(c.source):
                if c.source not in masked:
                    masked[c.source] = mask_html(text)
                text = masked[c.source]
            before, _, after = passage_in_paragraph(text, c.start, c.end, markdown=is_markdown(c.source), rst=is_rst(c.source, text))
        else:
            before, after = "", ""
        before, after = readable(c.source, before), readable(c.source, after)
        items.append(
            f'<li class="qa-source qa-source-{escape(c.kind)}">'
            f'<div class="qa-source-head">{_chip(turn, c)} '
            f'<a class="qa-source-title" href="#{ref}">{escape(c.title or c.source)}</a></div>'
            f'<div class="qa-meta">{_meta_line(c)}</div>'
            f'<p class="qa-context">{escape(before)}<mark>{escape(c.shown)}</mark>{escape(after)}</p>'
            "</li>"
        )
    cls = "qa-sources qa-closest" if answer.abstained else "qa-sources"
    return f'<div class="{cls}" {_SOURCES_REGION}>{head}<ol>{"".join(items)}</ol></div>'


# The panels scroll themselves (not Gradio's wrapper), so that the keyboard can
# reach and scroll them, and are named for a screen reader's list of regions.
# The sources hold links to tab to; the article's text does not, so it is focusable.
_SOURCES_REGION = 'role="region" aria-label="Sources"'


def empty_sources_html(message: str = "Sources of the answer appear here.") -> str:
    return (
        f'<div class="qa-sources qa-empty" {_SOURCES_REGION}><h3>Sources</h3>'
        f'<p class="qa-muted">{escape(message)}</p></div>'
    )


def article_html(doc: Document, c: Citation) -> str:
    """The whole article as a reader sees it (index.reading), the cited passage marked.

    The chat scrolls to the mark and moves the focus onto it (it can take
    focus, not the Tab key); Escape or the back button returns to the chip.
    """
    before, quote, after = readable_article(doc.source, doc.text, c.start, c.end)
    meta = " · ".join(escape(p) for p in (doc.meta.publisher, doc.meta.author, doc.meta.date) if p)
    label = (
        f'<div class="qa-kind qa-kind-{escape(c.kind)}">{KIND_LABELS[c.kind]}</div>' if c.kind in KIND_LABELS else ""
    )
    return (
        f'<div class="qa-article" {_ARTICLE_REGION}><div class="qa-article-head">'
        f'<h3 class="qa-article-title">{escape(doc.meta.title or doc.source)}</h3>'
        f'<div class="qa-meta">{meta}</div>{label}'
        '<button type="button" class="qa-article-back">Back to the answer</button></div>'
        f'<div class="qa-article-text">{escape(before)}'
        f'<mark class="qa-highlight" tabindex="-1">{escape(quote)}</mark>'
        f"{escape(after)}</div></div>"
    )


_ARTICLE_REGION = 'role="region" aria-label="Article" tabindex="0"'


def empty_article_html(message: str = "Click a citation to read it in its article.") -> str:
    return f'<div class="qa-article qa-empty" {_ARTICLE_REGION}><p class="qa-muted">{escape(message)}</p></div>'


def status_html(stats: dict) -> str:
    """The line above the chat: indexing, failed, or what the index holds."""
    status = stats.get("status")
    if status == "indexing":
        return '<div class="qa-status qa-building">Indexing the articles… The chat answers as soon as the index is ready.</div>'
    if status == "error":
        return f'<div class="qa-status qa-failed">The index could not be built: {escape(str(stats.get("error", "")))}</div>'
    if status != "ready":
        return '<div class="qa-status qa-failed">There is no index yet. Build it with: qa index</div>'
    built = str(stats.get("built_at", ""))[:16].replace("T", " ")
    stale = f" The last re-index failed: {escape(str(stats['error']))}" if stats.get("error") else ""
    return (
        f'<div class="qa-status qa-ready">{stats.get("files", 0)} articles, '
        f"{stats.get('sentences', 0)} sentences indexed{escape(f' (built {built} UTC)' if built else '')}.{stale}</div>"
    )


def explain_html(trace: dict) -> str:
    """The "Why this answer?" disclosure: the trace of qa.explain, readable, every string escaped.

    A native ``<details>``: the browser makes its ``<summary>`` a button that
    the keyboard reaches and opens.
    """
    q = trace["question"]
    read = [f"answer type: {q['answer_type'] or 'open'}", f"terms: {', '.join(q['terms'])}"]
    if q.get("parts"):
        read.append(f"asked as {len(q['parts'])} questions (traced: the first): {' | '.join(q['parts'])}")
    if q["rewritten"]:
        read.append(f"read as: {q['rewritten']}")
    if q["context_terms"]:
        read.append(f"from earlier turns: {', '.join(q['context_terms'])}")
    if q["preferred_sources"]:
        read.append(f"prefers: {', '.join(q['preferred_sources'])}")
    if q["unknown_names"]:
        read.append(f"names the articles never use: {', '.join(q['unknown_names'])}")
    chunks = "".join(
        f"<tr><td>{c['fused_rank']}</td><td>{c['dense_rank'] or '–'}</td><td>{c['bm25_rank'] or '–'}</td>"
        f"<td><q>{escape(c['opening'])}</q> <span class=\"qa-muted\">{escape(c['source'])} ({escape(c['kind'])})</span></td></tr>"
        for c in trace["chunks"]
    )
    shown = trace["candidates"][:SHOWN_CANDIDATES]
    cands = []
    for c in shown:
        f = c["features"]
        signals = ", ".join(f"{k} {f[k]:.2f}" for k in ("similarity", "coverage", "type_span", "names_missing_here") if k in f)
        mark = '<span class="qa-cited">cited</span> ' if c["chosen"] else ""
        cls = ' class="qa-explain-chosen"' if c["chosen"] else ""
        cands.append(
            f"<li{cls}>{mark}<span class=\"qa-prob\">p={c['probability']:.3f}</span> "
            f"<span class=\"qa-signals\">{escape(signals)}</span> "
            f"<q>{escape(readable(c['source'], c['text'], c.get('code', False)).strip())}</q> <span class=\"qa-muted\">{escape(c['source'])}</span></li>"
        )
    side = "at or above" if trace["answerable"] >= trace["threshold"] else "below"
    return (
        '<details class="qa-explain"><summary>Why this answer?</summary>'
        f'<p><strong>Question read as</strong>: {escape("; ".join(read))}</p>'
        '<table class="qa-explain-chunks"><caption>Retrieved chunks</caption>'
        '<thead><tr><th scope="col">fused</th><th scope="col">dense</th><th scope="col">BM25</th><th scope="col">chunk</th></tr></thead>'
        f"<tbody>{chunks}</tbody></table>"
        f'<p><strong>Candidate sentences</strong> (best {len(shown)} of {len(trace["candidates"])}):</p>'
        f'<ol class="qa-explain-candidates">{"".join(cands)}</ol>'
        f'<p class="qa-explain-answerable">answerable: {trace["answerable"]:.3f}, {side} the threshold {trace["threshold"]:.3f}</p>'
        f'<p class="qa-explain-verdict">verdict: {escape(trace["verdict"])}</p></details>'
    )
