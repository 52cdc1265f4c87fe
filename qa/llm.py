"""The ``llm`` answerer: a generated answer, kept only where the articles support it.

The model sees numbered passages (qa.prompts) and is asked to cite them as
``[n]``. What it writes is checked sentence by sentence (qa.verify): a
sentence stays only when a sentence of the articles supports it, and then
cites that exact sentence, so quotes and offsets are as exact as in the
extractive answer.

When the LLM answer cannot be used, the extractive answer is returned with
``mode="extractive"`` and ``fallback`` saying why, so that ``mode`` always
names what produced the text. That happens when the server cannot be
reached, times out (``llm_timeout`` bounds the whole answer, not each read),
breaks off mid-answer, or sends nothing usable; when no generated sentence
survives verification; and, without asking the model at all, when the
evidence is too weak to answer from (the extractive answer then abstains:
handing a small model passages that do not answer the question invites it
to invent one).

Streaming yields the model's tokens as they come; they are a preview. The
last event carries the verified answer, which is what to show and keep.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Iterator, Sequence

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from index.embedding import get_embedder
from qa.answerer import Answerer, AnswerRequest, register
from qa.config import Settings
from qa.errors import LLMError
from qa.evidence import cite
from qa.extractive import ExtractiveAnswerer
from qa.lexical import terms
from qa.llm_backends import backend_label, make_llm
from qa.prompts import answer_messages, condense_messages, select_sources
from qa.types import Answer, AnswerEvent
from qa.verify import Verifier, canonical_names

log = logging.getLogger(__name__)

# After a failure, calls within this many seconds fail at once with the same
# reason: a follow-up's condensing and answering then cost one timeout, not
# two, and a chat server does not pile up threads waiting on a dead LLM.
RETRY_AFTER = 10.0
CONDENSE_MAX_CHARS = 300


class LLMAnswerer(Answerer):
    name = "llm"

    def __init__(self, settings: Settings, llm: LLM | None = None) -> None:
        self.settings = settings
        self.llm = llm or make_llm(settings)
        self.where = backend_label(settings)
        self.extractive = ExtractiveAnswerer()
        self._failed_at = 0.0
        self._failure = ""

    # -- answering -----------------------------------------------------------
    def answer(self, request: AnswerRequest) -> Answer:
        final = None
        for event in self.stream(request):
            final = event.answer if event.kind == "answer" else final
        assert final is not None
        return final

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        if not request.evidence.supported:
            yield self._fallback(
                request, "the articles do not answer this closely enough to generate an answer from them"
            )
            return
        sources = select_sources(request.evidence, request.reader)
        messages = answer_messages(request.standalone or request.question, sources, request.reader.meta)
        pieces: list[str] = []
        t0 = time.perf_counter()
        try:
            for token in self.generate(messages):
                pieces.append(token)
                yield AnswerEvent(kind="token", text=token, verified=False)  # checked only once complete
        except LLMError as exc:
            yield self._fallback(request, exc.message)
            return
        t1 = time.perf_counter()
        completion = "".join(pieces)
        if not completion.strip():
            yield self._fallback(request, "the model's answer was empty")
            return
        verifier = Verifier(
            get_embedder(self.settings.embedding_model, self.settings.embed_batch_size).embed,
            request.reader.weights,
            self.settings.llm_support_threshold,
            about=lambda ev: _about(request.reader.meta(ev.source)),
        )
        verified = verifier.verify(completion, sources)
        timings = {"generate": (t1 - t0) * 1000, "verify": (time.perf_counter() - t1) * 1000}
        if verified.dropped:
            log.info(
                "dropped %d unsupported sentence(s) of %d: %s", len(verified.dropped), verified.claims, verified.dropped
            )
        if not verified.sentences:
            yield self._fallback(request, _unverified(verified.claims), timings)
            return
        answer = Answer(
            question=request.question,
            answer=verified.text,
            abstained=False,
            citations=[cite(i, ev, request.reader) for i, ev in enumerate(verified.evidence, start=1)],
            timings_ms=timings,
            mode="llm",
            sentences=verified.sentences,
        )
        yield AnswerEvent(kind="answer", answer=answer)

    # -- follow-ups ------------------------------------------------------------
    def condense(self, question: str, history: Sequence[str]) -> str | None:
        """The follow-up rewritten to stand alone, or None to use the extractive handling.

        A rewrite is refused unless it is a question that keeps (nearly) all
        the content words of the question itself: a small model "condenses"
        by answering, or by repeating an earlier turn.
        """
        if not history:
            return None
        text = ""
        try:
            for token in self.generate(condense_messages(question, history)):
                text += token
                if "\n" in text.strip() or len(text) > CONDENSE_MAX_CHARS:
                    break  # one line is all that is wanted; stop the model there
        except LLMError:
            return None
        return standalone_question(text, question)

    # -- talking to the model ----------------------------------------------------
    def generate(self, messages: list[ChatMessage]) -> Iterator[str]:
        """The model's tokens as they come; LLMError on any failure.

        The model is read in a worker thread so that ``llm_timeout`` bounds
        the whole answer even when the server stalls inside a read. Closing
        this generator early tells the worker to stop.
        """
        budget = self.settings.llm_timeout
        if self._failure and time.monotonic() - self._failed_at < RETRY_AFTER:
            raise LLMError(f"{self._failure} (a moment ago; not retried for {RETRY_AFTER:g} s)")
        events: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()

        def read() -> None:
            chunks = None
            try:
                chunks = self.llm.stream_chat(messages)
                for chunk in chunks:
                    if stop.is_set():
                        return
                    if chunk.delta:
                        events.put(("token", chunk.delta))
                events.put(("end", None))
            except Exception as exc:  # handed to the caller, who explains it
                events.put(("error", exc))
            finally:
                if chunks is not None:
                    chunks.close()  # closes the HTTP response, so the server stops generating

        threading.Thread(target=read, name="llm-read", daemon=True).start()
        deadline = time.monotonic() + budget
        try:
            while True:
                try:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise queue.Empty
                    kind, value = events.get(timeout=remaining)
                except queue.Empty:
                    raise self._failed(
                        f"{self.where} did not finish answering within {budget:g} s", outage=True
                    ) from None
                if kind == "token":
                    yield str(value)
                elif kind == "end":
                    return
                else:
                    reason, outage = explain(value)  # type: ignore[arg-type]
                    raise self._failed(f"{self.where} {reason}", outage)
        finally:
            stop.set()

    def _failed(self, message: str, outage: bool) -> LLMError:
        if outage:
            self._failure, self._failed_at = message, time.monotonic()
        return LLMError(message, "Check the LLM server, or use the extractive mode.")

    def _fallback(self, request: AnswerRequest, reason: str, timings: dict[str, float] | None = None) -> AnswerEvent:
        answer = self.extractive.answer(request)
        answer.fallback = f"No generated answer: {reason}. This is the extractive answer."
        answer.timings_ms.update(timings or {})
        return AnswerEvent(kind="answer", answer=answer)


def _about(meta: dict[str, str]) -> str:
    # Attribution only: a title makes claims of its own, which a sentence must support.
    return " ".join(meta.get(k, "") for k in ("publisher", "author", "date"))


def _unverified(claims: int) -> str:
    if claims == 0:
        return "the model's answer had no sentence to check"
    if claims == 1:
        return "the model's sentence could not be verified against the articles"
    return f"none of the model's {claims} sentences could be verified against the articles"


def standalone_question(text: str, question: str) -> str | None:
    """The model's rewrite, cleaned, if it still asks the question; else None."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    for prefix in ("rewritten question:", "question:", "standalone question:"):
        if line.lower().startswith(prefix):
            line = line[len(prefix) :].strip()
    line = line.strip(" \"'“”")
    if not line.endswith("?") or len(line) > CONDENSE_MAX_CHARS:
        return None  # an answer, or a ramble, rather than a question
    own = set(terms(canonical_names(question)))
    if len(own - set(terms(canonical_names(line)))) > len(own) // 4:
        return None
    return line


def explain(exc: BaseException) -> tuple[str, bool]:
    """What went wrong, as a phrase, and whether the server itself is out of reach.

    Looks through the exception's causes: clients wrap transport errors
    (httpx's in openai's, for instance).
    """
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = {type(x).__name__ for x in chain}
    if any("Timeout" in n for n in names) or any(isinstance(x, TimeoutError) for x in chain):
        return "did not answer in time", True
    if names & {"RemoteProtocolError", "ReadError", "IncompleteRead", "ChunkedEncodingError"} or any(
        isinstance(x, (ConnectionResetError, BrokenPipeError)) for x in chain
    ):
        return "closed the connection before the answer was complete", True
    if any("Connect" in n for n in names) or any(isinstance(x, ConnectionError) for x in chain):
        return "could not be reached", True
    detail = " ".join(str(exc).split())[:200]
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"answered with HTTP {status} ({detail})", False
    return (f"failed ({type(exc).__name__}: {detail})" if detail else f"failed ({type(exc).__name__})"), False


@register("llm")
def _factory(settings: Settings) -> Answerer:
    return LLMAnswerer(settings)
