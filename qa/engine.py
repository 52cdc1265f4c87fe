"""The one entry point every surface uses: ask a question, get an Answer.

The engine owns the index (building it on first use), the embedder and the
answerers, and keeps them warm between questions. It is safe to share between
threads: reading is lock-free; building takes one lock, and loading what a
question needs (the index reader, an answerer) another, so that the first
question does not wait for a background check of the corpus.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from index.build import BuildReport, build_index
from index.corpus import load_document
from index.embedding import Embedder, get_embedder
from index.manifest import MANIFEST_NAME, read_manifest
from index.store import ChromaStore
from index.types import Document, Metadata
from qa import articles, compound, conversation, followup
from qa.answerer import ANSWERERS, Answerer, AnswerRequest
from qa.concurrency import Batcher, TurnLock
from qa.config import Settings
from qa.errors import (
    CorpusError,
    IndexMismatchError,
    IndexNotReadyError,
    QuestionError,
    SettingsError,
    StaleIndexError,
)
from qa.evidence import EvidenceSet, gather
from qa.examples import load_examples
from qa.lexical import terms
from qa.question import ENTITY, PERSON, answer_type, asking_sentence, persons_named, without_back_in_time
from qa.retrieve import Hits, IndexReader, Query, SentenceRecord
from qa.scorer import Scorer, load_scorer
from qa.types import Answer, AnswerEvent

# Beside an answer whose P(answerable) is below Settings.unsure_below.
CAUTION = "The articles may not say this: check what the quoted sentences say."

# Modules whose import registers the built-in answerers.
BUILTIN_ANSWERERS = {"extractive": "qa.extractive", "llm": "qa.llm"}
MAX_HISTORY_TURNS = 10


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self._lock = threading.RLock()  # builds
        self._load_lock = threading.RLock()  # the reader, the answerers, the store client
        self._reader: IndexReader | None = None
        self._reader_stamp: tuple[str, float] | None = None
        self._store: ChromaStore | None = None
        self._answerers: dict[str, Answerer] = {}
        self._building = threading.Event()
        self._search: Batcher[tuple[IndexReader, Query], Hits] = Batcher(self._search_batch)
        self._scoring = TurnLock()
        # Greetings and questions about the collection: its titles and the corpus's example questions.
        self._conversation = conversation.ConversationAnswerer([e.question for e in load_examples(Path(self.settings.corpus))])
        # Questions about an article itself: its date, its author, what it is about (qa.articles).
        self._article_records = {asked: articles.ArticleRecordAnswerer(asked) for asked in (articles.DATE_ASKED, articles.AUTHOR_ASKED)}
        self._lead = articles.LeadAnswerer()
        self.last_build: BuildReport | None = None
        self.build_error: Exception | None = None

    # -- the index -----------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.embedding_model, self.settings.embed_batch_size)

    @property
    def scorer(self) -> Scorer:
        """The answer-scoring models, with the threshold the settings ask for."""
        scorer = load_scorer(self.settings.scorer)
        if self.settings.min_support >= 0:
            scorer = dataclasses.replace(scorer, threshold=self.settings.min_support)
        return scorer

    @property
    def store(self) -> ChromaStore:
        """The Chroma client of the index, opened once and shared by builds and readers."""
        if self._store is None:
            with self._load_lock:
                if self._store is None:
                    self._store = ChromaStore(self.settings.index_dir, self.settings.chroma_url, self.settings.collection)
        return self._store

    @property
    def building(self) -> bool:
        return self._building.is_set()

    def build(self, rebuild: bool = False, progress: bool = False, serve_meanwhile: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus (see index.build).

        Questions asked meanwhile raise IndexNotReadyError, unless
        ``serve_meanwhile``: then they are answered from the current index,
        and the new one is used from the first question after it is switched in.
        """
        s = self.settings
        with self._lock:
            if not serve_meanwhile:
                self._building.set()
            try:
                report = build_index(
                    s.corpus,
                    s.index_dir,
                    s.index_spec(),
                    chroma_url=s.chroma_url,
                    collection=s.collection,
                    max_bytes=int(s.max_file_mb * 1_000_000),
                    batch_size=s.embed_batch_size,
                    rebuild=rebuild,
                    progress=progress,
                    store=self.store,
                    lock_wait=s.index_lock_wait,
                    scan_max=s.sentence_scan_max,
                )
                self.last_build = report
                self.build_error = None
                return report  # a new generation has a new manifest: reader() sees it
            except Exception as exc:
                self.build_error = exc
                raise
            finally:
                if not serve_meanwhile:
                    self._building.clear()

    def has_usable_index(self) -> bool:
        """Whether there is an index these settings can answer from (perhaps not up to date)."""
        manifest = read_manifest(self.settings.index_dir)
        return manifest is not None and manifest.compatible_with(self.settings.index_spec())

    def ensure_index(self, progress: bool = False) -> BuildReport | None:
        """Build the index if it is missing or was built with other settings."""
        if self.has_usable_index():
            return None
        return self.build(progress=progress)

    def start_background_build(self) -> threading.Thread:
        """Bring the index up to date with the corpus, in a thread.

        With no usable index yet, questions meanwhile raise IndexNotReadyError.
        With one, they are answered from it while edited or added articles
        are indexed (checking an unchanged corpus takes milliseconds); if that
        fails, the index in use stays, and the failure shows in stats().
        """
        usable = self.has_usable_index()
        if not usable:
            self._building.set()

        def run() -> None:
            try:
                self.build(progress=True, serve_meanwhile=usable)
                self.reader()
            except Exception as exc:  # surfaced through build_error / health
                self.build_error = exc
            finally:
                self._building.clear()

        t = threading.Thread(target=run, name="index-build", daemon=True)
        t.start()
        return t

    def reader(self) -> IndexReader:
        """The current index, reloaded when a build has switched generations."""
        stamp = _manifest_stamp(self.settings.index_dir)
        reader = self._reader
        if reader is not None and stamp == self._reader_stamp:
            return reader
        with self._load_lock:
            if self._reader is not None and stamp == self._reader_stamp:
                return self._reader
            manifest = read_manifest(self.settings.index_dir)
            if manifest is None:
                raise IndexNotReadyError(
                    f"There is no index in {self.settings.index_dir} yet.", "Build it with: qa index"
                )
            if not manifest.compatible_with(self.settings.index_spec()):
                raise IndexMismatchError(
                    f"The index in {self.settings.index_dir} was built with other settings ({manifest.spec}).",
                    "Rebuild it with: qa index --rebuild",
                )
            self._reader = IndexReader(self.settings.index_dir, manifest, self.store, self.settings.sentence_scan_max)
            self._reader_stamp = stamp
            return self._reader

    def stats(self) -> dict[str, Any]:
        manifest = read_manifest(self.settings.index_dir)
        usable = manifest is not None and manifest.compatible_with(self.settings.index_spec())
        status = "indexing" if self.building else ("ready" if usable else "missing")
        if self.build_error is not None and not self.building and not usable:
            status = "error"  # with a usable index, a failed re-index is only reported (as "error")
        out: dict[str, Any] = {
            "status": status,
            "embedding_model": self.settings.embedding_model,
            "mode": self.settings.mode,
        }
        if manifest is not None:
            out.update(
                files=len(manifest.files),
                sentences=manifest.sentences,
                chunks=manifest.chunks,
                built_at=manifest.built_at,
                skipped=manifest.skipped,
                embedding_dim=manifest.embedding_dim,
                embedding_version=manifest.embedding_version,
                generation=manifest.generation,
            )
        if self.build_error is not None:
            out["error"] = str(self.build_error)
        return out

    def document(self, source: str) -> Document:
        """An indexed article as read, with its metadata (to show a citation in place).

        Only the file as it was indexed: one edited, grown past the size
        limit or deleted since raises StaleIndexError (its offsets would
        point at other text), and nothing larger than the limit is read.
        """
        reader = self.reader()
        documents = reader.documents
        if source not in documents:
            raise CorpusError(f"{source!r} is not an indexed article.", "Use a citation's source as given.")
        corpus = Path(self.settings.corpus).resolve()
        path = (corpus / source).resolve()
        if corpus not in path.parents:
            raise CorpusError(f"{source!r} is not a file of the corpus.", "Use a citation's source as given.")
        record = reader.manifest.files.get(source)
        reindex = "Re-index the articles (qa index, or restart qa serve), then ask again."
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise StaleIndexError(f"{source} has been deleted since it was indexed.", reindex) from None
        if record is not None and size != record.size:
            raise StaleIndexError(f"{source} has changed since it was indexed.", reindex)
        meta = documents[source]
        meta = Metadata(**{k: meta.get(k, "") for k in ("title", "publisher", "author", "date")})
        try:
            doc = load_document(corpus, path, meta, int(self.settings.max_file_mb * 1_000_000))
        except CorpusError as exc:  # too large, emptied, binary or not UTF-8 now: it was none of these when indexed
            raise StaleIndexError(f"{source} has changed since it was indexed ({exc.message})", reindex) from None
        if record is not None and doc.fingerprint != record.fingerprint:
            raise StaleIndexError(f"{source} has changed since it was indexed.", reindex)
        return doc

    # -- questions -------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] = (), mode: str | None = None) -> Answer:
        request, answerer = self._prepare(question, history, mode)
        t = time.perf_counter()
        answer = answerer.answer(request)
        return self._finish(answer, request, t)

    def explain(self, question: str, history: Sequence[str] = (), mode: str | None = None, evidence: Sequence[str] = ()) -> tuple[Answer, dict[str, Any]]:
        """The answer :meth:`ask` gives, and the trace of how it came about (see qa.explain)."""
        from qa.explain import explain

        request, answerer = self._prepare(question, history, mode)
        t = time.perf_counter()
        answer = self._finish(answerer.answer(request), request, t)
        return answer, explain(request, answer, evidence)

    def stream(self, question: str, history: Sequence[str] = (), mode: str | None = None) -> Iterator[AnswerEvent]:
        request, answerer = self._prepare(question, history, mode)
        t = time.perf_counter()
        for event in answerer.stream(request):
            if event.kind == "answer" and event.answer is not None:
                event = AnswerEvent(kind="answer", answer=self._finish(event.answer, request, t))
            yield event

    def _finish(self, answer: Answer, request: AnswerRequest, t_answer: float) -> Answer:
        """``answer`` with its timings, how sure it is, and the caution an unsure one comes with."""
        answer.timings_ms = _timings(answer, request, t_answer)
        answer.answerable = _answerable(request)
        if not answer.abstained and answer.answerable is not None and answer.answerable < self.settings.unsure_below:
            answer.caution = CAUTION
        return answer

    def prepare(self, question: str, history: Sequence[str] = ()) -> AnswerRequest:
        """The question read, retrieved and scored, as an answerer receives it (for training and tracing)."""
        return self._prepare(question, history, "extractive")[0]

    def answer_prepared(self, request: AnswerRequest, mode: str | None = None) -> Answer:
        """The ``mode`` answerer's answer to ``request`` (from :meth:`prepare`), finished as :meth:`ask` finishes one."""
        answerer = self.answerer(mode)
        t = time.perf_counter()
        return self._finish(answerer.answer(request), request, t)

    def answerer(self, mode: str | None = None) -> Answerer:
        mode = mode or self.settings.mode
        if mode not in self._answerers:
            with self._load_lock:
                if mode not in ANSWERERS and mode in BUILTIN_ANSWERERS:
                    importlib.import_module(BUILTIN_ANSWERERS[mode])
                if mode not in ANSWERERS:
                    raise SettingsError(f"Unknown answer mode {mode!r}.", f"Use one of: {', '.join(sorted(set(ANSWERERS) | set(BUILTIN_ANSWERERS)))}.")
                self._answerers[mode] = ANSWERERS[mode](self.settings)
        return self._answerers[mode]

    def _search_batch(self, items: list[tuple[IndexReader, Query]]) -> list[Hits]:
        s = self.settings
        hits: dict[int, Hits] = {}
        # One reader in practice; two only for the moment a re-index switches generations.
        for reader in {id(r): r for r, _ in items}.values():
            mine = [(i, q) for i, (r, q) in enumerate(items) if r is reader]
            found = reader.search([q for _, q in mine], self.embedder, s.dense_top_k, s.keyword_top_k)
            hits.update((i, h) for (i, _), h in zip(mine, found))
        return [hits[i] for i in range(len(items))]

    def _prepare(self, question: str, history: Sequence[str], mode: str | None) -> tuple[AnswerRequest, Answerer]:
        t0 = time.perf_counter()
        question = self._check_question(question)
        history = self._check_history(history)
        # Before anything that waits on the build's lock: answer 503 at once.
        if self.building:
            raise IndexNotReadyError("The index is still being built.", "Try again in a moment.")
        answerer = self.answerer(mode)
        reader = self.reader()
        scorer = self.scorer
        s = self.settings
        if conversation.turn_kind(question):
            # "Hello", "Thanks", "What can you do?": nothing to search for.
            query = Query(question=question, search_text=question, terms=[], asked=question)
            empty = EvidenceSet(ranked=[], passages=[], supported=False)
            timings = {"retrieve": (time.perf_counter() - t0) * 1000}
            return AnswerRequest(question, history, query, empty, reader, s, timings, scorer=scorer, weighed=False), self._conversation
        # "Thanks! And who approves it?" asks what follows the thanks; the answer repeats the message as sent.
        said, question = question, conversation.asked_part(question)
        # "wats the phone no", "probaton", "who heads roscosmos": read as meant (see IndexReader.as_meant).
        question = reader.as_meant(question)
        history = [reader.as_meant(h) for h in history]
        asked_parts = compound.parts(question)[: compound.MAX_PARTS] if answerer.name == "extractive" else [question]
        if len(asked_parts) > 1:
            # "How much notice do I need to give, and who do I tell?": each part follows on from those before it.
            prepared = [
                dataclasses.replace(r, by=a if a is not answerer else None)
                for r, a in (self._prepare(part, [*history, *asked_parts[:k]], mode) for k, part in enumerate(asked_parts))
            ]
            timings = {"retrieve": (time.perf_counter() - t0) * 1000}
            return dataclasses.replace(prepared[0], question=said, history=history, timings_ms=timings, parts=tuple(prepared)), answerer
        standalone, condense_ms = _condense(answerer, question, history)
        restated = "" if standalone or not history else followup.restate(question, _last_asked(history))
        if standalone or restated:
            asked = standalone or restated
            text, context_terms = asked, []
        else:
            asked = self._resolved(question, history) if history else question
            (text, context_terms) = followup.search_text(asked, history)
        prior, about = reader.source_prior(asked)
        asked_terms, kind = terms(without_back_in_time(about)), answer_type(asked)
        if history and not (standalone or restated) and followup.asks_again(asked):
            # "Why not?", "What about the Russian side?": what the earlier turn asked about is asked again.
            earlier = reader.source_prior(history[-1])[1]
            asked_terms, kind = asked_terms + terms(earlier), kind or answer_type(earlier)
            context_terms = [t for t in context_terms if t not in asked_terms]
        query = Query(
            question=question,
            search_text=text,
            terms=list(dict.fromkeys(reader.correct(asked_terms))),
            context_terms=context_terms,
            source_prior=prior,
            answer_type=kind,
            unknown_names=reader.unknown_names(asking_sentence(about)),
            asked=asked,
        )
        # Search in a batch with the questions asked at the same moment, then
        # score in turn, oldest first (see qa.concurrency).
        hits = self._search.submit((reader, query))
        with self._scoring.turn(t0):
            passages = reader.fuse(query, hits, s.rrf_k, s.passages)
            evidence = gather(reader, query, passages, scorer, s.include_comments, hits.dense)
        t1 = time.perf_counter()
        request = AnswerRequest(
            question=said,
            history=history,
            query=query,
            evidence=evidence,
            reader=reader,
            settings=s,
            timings_ms={"retrieve": (t1 - t0) * 1000 - condense_ms, **({"condense": condense_ms} if condense_ms else {})},
            standalone=standalone,
            scorer=scorer,
            hits=hits,
        )
        summary, asks = articles.asked_of_article(asked, history[-1] if history else "")
        if summary:
            return dataclasses.replace(request, weighed=False), self._lead
        # An author a byline of the text names is answered from the text, cited.
        if asks == articles.AUTHOR_ASKED and articles.byline_answers(evidence, asked):
            return dataclasses.replace(request, weighed=False), answerer
        if asks in (articles.DATE_ASKED, articles.AUTHOR_ASKED):
            return dataclasses.replace(request, weighed=False), self._article_records[asks]
        return request, answerer

    def _resolved(self, question: str, history: Sequence[str]) -> str:
        """``question`` with what its "he", "it", "there" or "that room" points at
        in the earlier turns written in (see qa.followup)."""
        asked = question
        if followup.refers_to_person(asked):
            asked = followup.resolve(asked, self._person_answered(history))
        if followup.refers_to_thing(asked):
            asked = followup.resolve_thing(asked, followup.thing_asked(history[-1]) or self._thing_answered(history))
        if followup.refers_to_place(asked):
            asked = followup.resolve_place(asked, self._place_answered(history))
        pointed = followup.demonstrative(asked, history[-1])
        if pointed:
            match, kind = pointed
            if kind == followup.PLACE:
                named = self._place_answered(history, noun=match.group(1).lower())
            else:
                named = self._thing_answered(history)
            asked = followup.resolve_demonstrative(asked, pointed, named)
        return asked

    def _person_answered(self, history: Sequence[str]) -> str:
        """Whom a follow-up's "he" or "she" points at: the person the last earlier
        turn asked about ("Who is Sergey Krikalev?", "What did Dennis
        Okafor-Hale write about?"), or else the person the engine's answer to it
        names, if it asked "who" ("Who was NASA Administrator in June 2021?").
        A turn that neither names nor asks for anyone ("What anniversary did the
        meeting coincide with?") passes the pronoun on to the turn before it."""
        for back in range(1, min(followup.MAX_TURNS, len(history)) + 1):
            turn = history[-back]
            named = persons_named(turn)
            if named or answer_type(turn) == PERSON:
                return self._person_of(turn, history[:-back], named)
        return ""

    def _person_of(self, turn: str, before: Sequence[str], named: list[str]) -> str:
        """The person ``turn`` asked about, or the one the engine's answer to it names."""
        if len(named) == 1 and (followup.asks_who_is(turn) or answer_type(turn) != PERSON):
            return named[0]
        if answer_type(turn) != PERSON:
            return ""
        return self._named_in_answer(turn, before, followup.person_named)

    def _thing_answered(self, history: Sequence[str]) -> str:
        """What a follow-up's "it" points at when the last earlier turn asked
        "which" thing ("Which room has a hearing loop?"): the thing the engine's
        answer to it names ("Terminus")."""
        turn = history[-1]
        if not followup.asks_which_thing(turn) or answer_type(turn) not in ("", ENTITY):
            return ""
        return self._named_in_answer(turn, history[:-1], followup.thing_named) or followup.kind_asked(turn)

    def _place_answered(self, history: Sequence[str], noun: str = "") -> str:
        """What a follow-up's closing "there" (or "that room", given its ``noun``)
        points at when one of the last earlier turns asked "where", the latest
        such: the place the engine's answer to it names ("Service Desk"). A
        turn between them ("How long does it last?") passes "there" on."""
        for back in range(1, min(followup.MAX_TURNS, len(history)) + 1):
            if followup.asks_where(history[-back]):
                return self._named_in_answer(history[-back], history[:-back], functools.partial(followup.place_named, noun=noun))
        return ""

    def _named_in_answer(self, turn: str, before: Sequence[str], named: Callable[..., str]) -> str:
        """What ``named`` finds in the sentence the engine's answer to ``turn`` leads with, or ""."""
        answered = self._best_sentence(turn, before)
        if answered is None:
            return ""
        record, query_terms = answered
        return named(record.shown, record.tokens, turn, query_terms)

    def _best_sentence(self, turn: str, before: Sequence[str]) -> tuple[SentenceRecord, list[str]] | None:
        """The sentence the engine's answer to an earlier ``turn`` would lead with,
        and that turn's query terms; None when it would abstain."""
        earlier = self._prepare(turn, before[-followup.MAX_TURNS :], "extractive")[0]
        ev = earlier.evidence
        if not ev.supported or not ev.ranked:
            return None
        return earlier.reader.sentence(ev.ranked[0].sentence_id), earlier.query.terms

    def _check_question(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("The question is empty.", "Type a question about the articles.")
        question = question.strip()
        if not any(ch.isalnum() for ch in question):
            # "???" or "🚀": nothing to look for, and the passages nearest nothing are noise.
            raise QuestionError("The question has no words, only marks or symbols.", "Type a question about the articles.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"The question is {len(question):,} characters long; the limit is {limit:,}.",
                # Said to whoever asked, in the chat or over HTTP: the setting is the operator's (README).
                "Ask it in fewer words, or as several questions.",
            )
        return question

    def _check_history(self, history: Any) -> list[str]:
        if history is None:
            return []
        if isinstance(history, str) or not all(isinstance(h, str) for h in history):
            raise QuestionError("history must be a list of earlier questions (strings).", 'Send e.g. "history": ["Who heads Roscosmos?"].')
        limit = self.settings.max_question_chars
        # A greeting or thanks between questions is no turn a follow-up points back at.
        asked = [conversation.asked_part(h.strip()[:limit]) for h in history if h.strip() and not conversation.turn_kind(h)]
        return asked[-MAX_HISTORY_TURNS:]


def _last_asked(history: Sequence[str]) -> str:
    """The last earlier turn as a question of its own: "And in 2025?" after "Who
    led NASA in 2021?" asked "Who led NASA in 2025?"."""
    if len(history) > 1:
        return followup.restate(history[-1], history[-2]) or history[-1]
    return history[-1]


def _condense(answerer: Answerer, question: str, history: Sequence[str]) -> tuple[str, float]:
    """The follow-up as the answerer rewrites it to stand alone ("" if it does not), and the ms taken."""
    condense = getattr(answerer, "condense", None)
    if not history or not callable(condense):
        return "", 0.0
    t = time.perf_counter()
    standalone = condense(question, history) or ""
    return standalone, (time.perf_counter() - t) * 1000


def _timings(answer: Answer, request: AnswerRequest, t_answer: float) -> dict[str, float]:
    now = time.perf_counter()
    timings = dict(request.timings_ms)
    timings.update(answer.timings_ms)
    timings["answer"] = (now - t_answer) * 1000
    timings["total"] = timings["retrieve"] + timings.get("condense", 0.0) + timings["answer"]
    return timings


def _answerable(request: AnswerRequest) -> float | None:
    """The probability that the articles answer what was asked; None where
    the answer rests on no weighed evidence (see AnswerRequest.weighed). Of a
    message asking several things, the least of the parts it answers: a part
    it abstains on says so itself."""
    weighed = [part.evidence for part in request.parts or [request] if part.weighed]
    answered = [ev.answerable for ev in weighed if ev.supported]
    return min(answered or [ev.answerable for ev in weighed]) if weighed else None


def _manifest_stamp(index_dir: Path) -> tuple[str, float] | None:
    try:
        st = os.stat(Path(index_dir) / MANIFEST_NAME)
    except FileNotFoundError:
        return None
    return (str(st.st_ino), st.st_mtime)
