"""The index reader: sentences read from disk for the question at hand, never all held."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.store import CHUNKS, SENTENCES
from qa.config import Settings
from qa.engine import Engine
from qa.lexical import STOPWORDS, SYNONYMS, is_english_word, terms
from qa.retrieve import IndexReader, Query

from ..conftest import SEEDS, write_corpus


@pytest.fixture
def fresh(engine: Engine, settings: Settings) -> Engine:
    """An engine of its own over the session index, so its reader starts with nothing read."""
    return Engine(settings)


def _held(reader: IndexReader) -> list[tuple[str, int]]:
    """Attributes of the reader that hold a collection in memory, with their sizes."""
    out = []
    for name, value in vars(reader).items():
        if isinstance(value, np.memmap):
            continue  # mapped from the generation folder, read by the rows asked for
        if isinstance(value, (list, tuple, dict, set, frozenset, np.ndarray)):
            out.append((name, len(value)))
    return out


def test_opening_reads_no_sentence_and_an_answer_reads_only_its_candidates(fresh: Engine, dev_questions: list[dict]) -> None:
    reader = fresh.reader()
    n = len(reader.sentences)
    assert n > 200
    assert reader.sentence_store.rows_read == 0
    assert all(size < n for _, size in _held(reader)), _held(reader)
    assert isinstance(reader.vectors, np.memmap)

    question = next(q["question"] for q in dev_questions if q.get("answerable") and not q.get("history"))
    request = fresh.prepare(question)
    answer = fresh.answerer("extractive").answer(request)
    rows = request.evidence.candidates.rows
    around = {j for i in rows for j in (i - 1, i, i + 1) if 0 <= j < n}
    # The candidates and the sentences either side of each, nothing else.
    assert 0 < reader.sentence_store.rows_read <= len(around) < n
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert (SEEDS / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote


def test_an_outlet_or_surname_that_is_a_common_word_names_no_page_by_that_word(settings: Settings, tmp_path: Path) -> None:
    # As saved pages state them (og:site_name, <meta name="author">): "Medium" is a blog host, and
    # "medium" a word here; "Platform Team" wrote a runbook, and "team" a word here, no one's surname.
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "mesh.html": '<html><head><title>Village mesh</title><meta property="og:site_name" content="Medium">'
            '<meta name="author" content="Ines Calloway-Bright"></head><body><p>The village mesh uses twelve antennas on church towers.</p></body></html>',
            "flood.html": '<html><head><title>Sele floods</title><meta property="og:site_name" content="Wrenbury Courier"></head>'
            "<body><p>The River Sele flooded 140 homes in Ashcombe.</p></body></html>",
            "runbook.html": '<html><head><title>Backups</title><meta name="author" content="Platform Team"></head><body><p>The team restores '
            "backups every quarter. A medium-risk change needs one reviewer from the team.</p></body></html>",
        },
    )
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    reader = engine.reader()

    def named(question: str) -> set[str]:
        weights, _ = reader.source_prior(question)
        return {source for source, weight in weights.items() if weight == 1.0}

    assert named("What did the post on Medium say about antennas?") == {"mesh.html"}
    assert named("Which changes count as medium-risk?") == set()
    assert named("what did the wrenbury courier report about the flood") == {"flood.html"}
    assert named("what did calloway-bright say about the antennas") == {"mesh.html"}
    assert named("How many requests does the Team plan allow?") == set()
    assert named("What does the Platform Team's runbook say about backups?") == {"runbook.html"}


def test_a_site_is_named_with_or_without_its_web_domain(engine):
    reader = engine.reader()
    spacepolicy = "002_026fb524575c518d.txt"  # published by "SpacePolicyOnline.com"
    for question in ("What did SpacePolicyOnline.com report about Putin?", "What did SpacePolicyOnline report about Putin?"):
        weights, rest = reader.source_prior(question)
        assert {s for s, w in weights.items() if w == 1.0} == {spacepolicy}
        # Words about the source, not the answer: nor is it a name the articles never use.
        assert "SpacePolicyOnline" not in rest


def test_the_table_of_sentences_reads_in_document_order(engine: Engine) -> None:
    reader = engine.reader()
    every = list(reader.sentences)  # read a page at a time, kept by nobody but this test
    assert len(every) == len(reader.sentences)
    assert [(s.source, s.position) for s in every] == sorted((s.source, s.position) for s in every)
    for i in (0, len(every) // 2, len(every) - 1):
        assert reader.sentences[i] == every[i]
        assert reader.sentence(every[i].id) == every[i]
        prev, nxt = reader.neighbours(i)
        assert prev == (every[i - 1] if i and every[i - 1].source == every[i].source else None)
        assert nxt == (every[i + 1] if i + 1 < len(every) and every[i + 1].source == every[i].source else None)
    assert reader.sentences[-1] == every[-1] and reader.sentences[1:3] == every[1:3]
    assert reader.sentences[np.int64(2)] == every[2] and reader.sentences.load(np.arange(3)) == dict(enumerate(every[:3]))
    with pytest.raises(IndexError):
        reader.sentences[len(every)]


def test_term_weights_count_the_sentences_holding_each_term(engine: Engine) -> None:
    reader = engine.reader()
    df: dict[str, int] = {}
    for s in reader.sentences:
        for t in s.terms:
            df[t] = df.get(t, 0) + 1
    assert dict(reader.weights.df) == df
    assert reader.weights.n == len(reader.sentences)


def test_best_covering_is_what_a_scan_of_every_sentence_finds(engine: Engine, dev_questions: list[dict]) -> None:
    reader = engine.reader()
    every = list(reader.sentences)
    for q in dev_questions[:12]:
        query_terms = terms(reader.spelled(q["question"]))
        sims = reader.similarities(reader.vectors[0])
        wanted = set(query_terms) | {syn for t in query_terms for syn in SYNONYMS.get(t, ())}
        scan = sorted(
            ((reader.weights.coverage(query_terms, s.terms), float(sims[i]), i) for i, s in enumerate(every) if s.terms & wanted),
            reverse=True,
        )
        assert reader.best_covering(query_terms, 8, sims) == [i for cov, _, i in scan[:8] if cov > 0], q["question"]


def test_document_missing_is_what_the_article_lacks(engine: Engine) -> None:
    reader = engine.reader()
    every = list(reader.sentences)
    i = len(every) // 3
    article = set().union(*(s.terms for s in every if s.source == every[i].source))
    q = [*sorted(article)[:2], "zzzunknown", next(t for t in reader.weights.df if t not in article)]
    weight = {t: reader.weights.idf(t) for t in q}
    lacking = sum(w for t, w in weight.items() if t not in article) / sum(weight.values())
    assert reader.document_missing(q, i) == pytest.approx(lacking)
    assert 0 < lacking < 1


def test_spelling_correction_finds_the_terms_a_letter_away(engine: Engine) -> None:
    reader = engine.reader()
    known = sorted(t for t in reader.weights.df if len(t) >= 6 and t.isalpha())[::25]
    # The symmetric-deletion index the reader no longer keeps: every known
    # term under each of its one-letter deletions and itself.
    by_deletion: dict[str, set[str]] = {}
    for t in reader.weights.df:
        if len(t) >= 4 and not t.isdigit():
            for d in {t, *(t[:k] + t[k + 1 :] for k in range(len(t)))}:
                by_deletion.setdefault(d, set()).add(t)

    def expected(t: str) -> str:
        if reader.weights.known(t) or len(t) < 5:
            return t
        near = {k for d in {t, *(t[:k] + t[k + 1 :] for k in range(len(t)))} for k in by_deletion.get(d, ())}
        near = {k for k in near if abs(len(k) - len(t)) <= 1}
        return max(near, key=lambda k: (reader.weights.df[k], k)) if near else t

    typos = []
    for t in known:
        typos += [t[:2] + t[3:], t[:3] + "q" + t[3:], t[:2] + t[3] + t[2] + t[4:], t[:-1] + "x"]
    corrected = reader.correct(typos)
    assert corrected == [expected(t) for t in typos]
    assert sum(c != t for c, t in zip(corrected, typos)) > len(typos) // 2


def test_spelling_correction_finds_the_corpus_words_an_edit_away(engine: Engine) -> None:
    reader = engine.reader()
    counts = reader.sentence_store.word_counts
    known = sorted(w for w in counts if len(w) >= 6 and w not in STOPWORDS)[::20]

    def keys(w: str) -> set[str]:
        return {w, *(w[:k] + w[k + 1 :] for k in range(len(w)))}

    def expected(w: str) -> str:
        """What a scan of every word of the corpus finds: one that shares ``w`` or a one-letter deletion of it."""
        if w in counts or any(reader.weights.known(t) for t in terms(w)) or is_english_word(w):
            return w
        near = [k for k in counts if len(k) >= 4 and k not in STOPWORDS and abs(len(k) - len(w)) <= 1 and keys(k) & keys(w)]
        return max(near, key=lambda k: (counts[k], k)) if near else w

    typos = []
    for w in known:
        typos += [w[:2] + w[3:], w[:3] + "q" + w[3:], w[:2] + w[3] + w[2] + w[4:], w[:-1] + "x"]
    corrected = [reader.spelled(t) for t in typos]
    assert corrected == [expected(t) for t in typos]
    assert sum(c == w for c, w in zip(corrected, (w for w in known for _ in range(4)))) > len(typos) // 2
    # A capitalised word is a name, respelled only as a name the corpus writes; a run of capitals,
    # a word of four letters or one the dictionary holds is no misspelling.
    assert reader.spelled("russa") == "russia" and reader.spelled("Russa NASAX rusa") == "Russia NASAX rusa"
    assert reader.spelled("a russa-led plan") == "a russia-led plan"  # a part of a hyphenated word too
    assert reader.spelled("sting") == "sting" and not reader.weights.known("sting")


@pytest.mark.parametrize(
    "typed, fact",
    [
        ("how long is probaton for new starters at kvt", "six months"),
        ("how many chars does my pasword need to be", "14 characters"),
        ("What's Owen Pryse's extension?", "4630"),
        ("Who chairs the Digital Desgin Authority?", "Priya Natarajan"),
        ("Something flete-wide has just broken. Who do I phone first?", "4999"),
    ],
)
def test_a_question_typed_in_a_hurry_is_answered_as_spelt_right(intranet_engine: Engine, typed: str, fact: str) -> None:
    answer = intranet_engine.ask(typed)
    assert not answer.abstained and fact in answer.answer
    assert answer.question == typed  # the answer repeats the message as sent


@pytest.mark.parametrize(
    "typed, fact",
    [("wats the service desk phone no", "4400"), ("What's the FareHub supplier's phone number?", "0808 157 0192"), ("whats Owen Pryce's extension", "4630")],
)
def test_a_phone_number_is_answered_with_a_number(intranet_engine: Engine, typed: str, fact: str) -> None:
    # Not with the sentence that says most about the desk, the supplier or the person.
    answer = intranet_engine.ask(typed)
    assert not answer.abstained and fact in answer.answer


def test_keywords_that_ask_for_a_time_are_answered_with_one(intranet_engine: Engine) -> None:
    answer = intranet_engine.ask("depot induction time")
    assert not answer.abstained and "Tuesday at 10:00" in answer.answer


def test_a_question_typed_in_lower_case_is_read_with_its_names_capitals(engine: Engine) -> None:
    reader = engine.reader()
    # As the articles write the names; a word neither they nor a dictionary know is a name too.
    assert reader.cased("who heads roscosmos and nasa") == "who heads Roscosmos and NASA"
    assert reader.cased("what did jared isaacman say") == "what did jared Isaacman say"
    assert reader.cased("Who heads roscosmos") == "Who heads roscosmos"  # typed with capitals: as typed


def test_a_word_capitalised_only_in_a_longer_name_is_capitalised_only_beside_the_rest_of_it(intranet_engine: Engine) -> None:
    reader = intranet_engine.reader()
    # The pages write "Service Desk" and "Signal Box", and "the desk" and "a box" too.
    assert reader.cased("what is the service desk phone number") == "what is the Service Desk phone number"
    assert reader.cased("how do i book the signal box") == "how do I book the Signal Box"
    assert reader.cased("who staffs the desk on saturdays") == "who staffs the desk on Saturdays"
    assert reader.cased("does the box have a screen") == "does the box have a screen"
    # "People & Culture" is one name; "people" alone is the word the pages also write.
    assert reader.cased("how many people fit in the terminus room") == "how many people fit in the Terminus room"
    assert reader.cased("who in people & culture signs it") == "who in People & Culture signs it"


@pytest.mark.parametrize("question", ["When will China land astronauts on Mars?", "How long did the Apollo-Soyuz crews live together according to Nelson?"])
def test_a_question_typed_without_its_question_mark_is_answered_as_with_it(engine: Engine, question: str) -> None:
    assert engine.ask(question.rstrip("?")).answer == engine.ask(question).answer


@pytest.mark.parametrize("question", ["When will China land astronauts on Mars?", "What did the European Space Agency decide about ExoMars?"])
def test_a_question_typed_in_lower_case_abstains_as_it_does_typed_with_capitals(engine: Engine, question: str) -> None:
    # Names the articles never mention are what these questions ask about: told by their capitals.
    assert engine.ask(question).abstained
    assert engine.ask(question.lower()).abstained


@pytest.mark.parametrize(
    "message, fact",
    [
        ("My PC won't start and it's a Saturday. Is the Service Desk open?", "08:00 to 14:00 on Saturdays"),
        ("There's a server outage at 3 a.m. on a Sunday. Who signs off an emergency change?", "Mark Ellery"),
    ],
)
def test_a_message_typed_in_lower_case_is_answered_as_typed_with_capitals(intranet_engine: Engine, message: str, fact: str) -> None:
    # In lower case its question opens with no capital after the sentence that sets the scene.
    lower, capitals = intranet_engine.ask(message.lower()), intranet_engine.ask(message)
    assert not lower.abstained and fact in lower.answer
    assert lower.answer == capitals.answer


class CountingQueries:
    """A Chroma collection that counts the queries asked of it."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.queries = 0

    def query(self, **kwargs: Any) -> Any:
        self.queries += 1
        return self.collection.query(**kwargs)


def query_vectors(engine: Engine, questions: list[dict]) -> np.ndarray:
    return np.asarray(engine.embedder.embed_queries([q["question"] for q in questions]), dtype=np.float32)


def assert_same_ranking(reader: IndexReader, vector: np.ndarray, got: list[str], expected: list[str]) -> None:
    """The same chunks in the same order, but for chunks whose scores tie to rounding."""
    assert len(got) == len(expected)
    collection = reader.store.collection(reader.manifest.generation, CHUNKS)
    stored = collection.get(ids=list({*got, *expected}), include=["embeddings"])
    score = {cid: float(np.dot(v, vector)) for cid, v in zip(stored["ids"], stored["embeddings"])}
    for a, b in zip(got, expected):
        assert a == b or abs(score[a] - score[b]) < 1e-5, (got, expected)


def test_below_the_scan_limit_every_chunk_is_scored_and_ranked_as_chromas_query_ranks_them(
    engine: Engine, dev_questions: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = engine.reader()
    assert reader.sentence_store.chunk_vectors is not None  # the seed index is scanned
    questions = dev_questions[:16]
    vectors = query_vectors(engine, questions)
    k = engine.settings.dense_top_k
    chroma = reader.store.collection(reader.manifest.generation, CHUNKS)
    asked = chroma.query(query_embeddings=vectors, n_results=k, include=["distances"])["ids"]
    counting = CountingQueries(reader._chunk_collection)
    monkeypatch.setattr(reader, "_chunk_collection", counting)
    scanned = reader.dense_rankings(vectors, k)
    assert counting.queries == 0
    for vector, got, expected in zip(vectors, scanned, asked):
        assert_same_ranking(reader, vector, got, expected)
    # Asked alone or with others, a question's chunks are the same, in the same order.
    assert [reader.dense_rankings(v[None, :], k)[0] for v in vectors] == scanned
    assert reader.dense_rankings(vectors[3:7], k) == scanned[3:7]
    hits = reader.search([Query(q["question"], q["question"], terms(q["question"])) for q in questions[:2]], engine.embedder, k, k)
    assert [h.dense for h in hits] == scanned[:2] and counting.queries == 0


def test_above_the_scan_limit_chunks_come_from_chromas_index_and_sentences_from_the_nearest_chunks(
    engine: Engine, settings: Settings, dev_questions: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = engine.reader()
    approx = Engine(settings.replace(sentence_scan_max=0, index_dir=tmp_path / "index"))
    approx.build()
    reader = approx.reader()
    assert reader.sentence_store.chunk_vectors is None  # not scanned: Chroma ranks the chunks
    assert SENTENCES not in {c.name.rsplit("_", 1)[-1] for c in reader.store.client.list_collections()}  # and no HNSW index of sentences
    counting = CountingQueries(reader._chunk_collection)
    monkeypatch.setattr(reader, "_chunk_collection", counting)
    for q in dev_questions[:6]:
        vector = np.asarray(approx.embedder.embed_queries([q["question"]])[0], dtype=np.float32)
        vector /= np.linalg.norm(vector)
        sims = reader.similarities(vector)
        assert sims.all is None
        # Chroma's search of a few dozen chunks is exact ...
        dense = reader.dense_rankings(vector[None, :], 12)[0]
        assert_same_ranking(reader, vector, dense, exact.dense_rankings(vector[None, :], 12)[0])
        # ... and the nearest sentences are the nearest of those chunks' sentences, best first.
        near = reader.nearest(sims, 8, dense)
        pool = {r for layout in reader.chunk_layouts(dense).values() for r in layout.rows}
        assert len(near) == 8 and set(near) <= pool
        every = exact.similarities(vector).all
        assert every is not None
        assert [float(every[r]) for r in near] == sorted((float(every[r]) for r in near), reverse=True)
        assert min(float(every[r]) for r in near) >= max(float(every[r]) for r in pool - set(near)) - 1e-6
    assert counting.queries == 6
    answer = approx.ask(dev_questions[0]["question"])
    assert counting.queries == 7
    for c in answer.citations:
        assert (SEEDS / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "question, unknown",
    [
        ("How do I create a closure with ffi_prep_closure_loc?", ["ffi_prep_closure_loc"]),
        ("What does the --clean option of pyenv install do?", ["--clean"]),
        ("What windowBits value should be passed to deflateInit2() to get a gzip header?", ["windowBits"]),
        # As the pages write them, in any case, a call with or without its brackets.
        ("Which ABI value should I normally pass to ffi_prep_cif?", []),
        ("What does FFI_PREP_CIF return?", []),
        ("When can deflate() return Z_STREAM_ERROR?", []),
        ("Which strm fields must be set before calling inflateInit?", []),
        ("What does the --check flag of rustfmt do?", []),
        ("Which environment variables does the playTest.sh script need?", []),
    ],
)
def test_a_code_identifier_the_documentation_never_writes_is_a_name_it_lacks(docs_engine: Engine, question: str, unknown: list[str]) -> None:
    # The parts of "ffi_prep_closure_loc" are all words the libffi manual uses
    # ("ffi_prep_cif", "closure"); the name as a whole is one it never writes,
    # so the question asks about something the pages do not cover.
    assert docs_engine.prepare(question).query.unknown_names == unknown


def test_an_identifier_counts_as_written_where_markdown_escapes_it_and_is_read_beyond_its_words(settings: Settings, tmp_path: Path) -> None:
    # Markdown writes "ffi\_prep\_cif" so that its underscores are no emphasis; a
    # reader sees "ffi_prep_cif". "max" and "width" stand apart in another sentence.
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "ffi.md": "# Calls\n\nPrepare the call interface with ffi\\_prep\\_cif before any call.\n\n"
            "The max line width of the listing is set apart from the width of a tab.\n",
        },
    )
    engine = Engine(settings.replace(corpus=corpus, index_dir=tmp_path / "index"))
    engine.build()
    assert engine.prepare("What does ffi_prep_cif prepare?").query.unknown_names == []
    assert engine.prepare("What is the default max_width?").query.unknown_names == ["max_width"]
