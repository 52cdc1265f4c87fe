"""A BERT sentence encoder as an ONNX graph, written from its safetensors weights.

No torch: the weights are read straight from ``model.safetensors`` (a JSON
header, then raw little-endian arrays) and the graph is BERT's encoder spelled
out in standard ONNX operators, so the result runs on ONNX Runtime alone.

The graph takes one *pack* of texts laid end to end (see
``index.embedding.OnnxEmbedder``): ``input_ids`` and ``position_ids`` of shape
``(1, tokens)`` and ``segments`` of shape ``(tokens,)``, the number of the
text each token belongs to. A token attends only to tokens of its own text,
so a pack gives every text the vector it would get alone, with no padding.
The output is the last hidden state, ``(1, tokens, hidden)``; pooling is left
to the caller. Inside, activations are ``(tokens, hidden)``: ONNX Runtime
then runs each linear layer as one GEMM that adds its bias in the same pass
(on ``(1, tokens, hidden)`` the bias was a pass of its own, and the heads'
transposes moved more memory): a pass over 200-token chunks spent about a
tenth less time in its kernels.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import SettingsError

# Bump when the graph below changes: cached files built by an older version are rebuilt.
GRAPH_VERSION = 2  # 2: two-dimensional activations
OPSET = 17  # LayerNormalization
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file, as float32 (or int64) arrays."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
        data = fh.read()
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        if info["dtype"] == "BF16":  # the top half of a float32
            array = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] in _DTYPES:
            array = np.frombuffer(raw, np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<"))
        else:
            raise SettingsError(f"{path} holds a tensor of type {info['dtype']}, which cannot be read.", "Use a float32 or float16 model.")
        array = array.reshape(info["shape"])
        out[name] = array.astype(np.float32) if array.dtype.kind == "f" else array
    return out


def build_bert_onnx(folder: Path) -> bytes:
    """The serialized ONNX model of the BERT encoder in a model folder."""
    from onnx import TensorProto, helper, numpy_helper

    config = _bert_config(folder)
    weights = read_safetensors(folder / "model.safetensors")
    # Checkpoints saved from BertModel have bare names; some keep the "bert." prefix.
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

    def w(name: str) -> np.ndarray:
        try:
            return weights[prefix + name]
        except KeyError:
            raise SettingsError(f"{folder} is not a BERT model: {prefix + name} is missing.", "Use a BERT-family sentence-transformers folder.") from None

    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    eps = float(config.get("layer_norm_eps", 1e-12))
    nodes: list[Any] = []
    inits: list[Any] = []
    counter = [0]

    def const(array: np.ndarray, name: str = "") -> str:
        counter[0] += 1
        name = name or f"c{counter[0]}"
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], **attrs: Any) -> str:
        counter[0] += 1
        out = f"{kind.lower()}{counter[0]}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x: str, name: str) -> str:  # torch stores (out, in); x @ W.T + b
        return op("Add", [op("MatMul", [x, const(w(name + ".weight").T)]), const(w(name + ".bias"))])

    def layer_norm(x: str, name: str) -> str:
        return op("LayerNormalization", [x, const(w(name + ".weight")), const(w(name + ".bias"))], axis=-1, epsilon=eps)

    # Embeddings: word + position + token type 0 (every text is a single segment).
    flat = const(np.array([-1]))
    x = op("Gather", [const(w("embeddings.word_embeddings.weight")), op("Reshape", ["input_ids", flat])])
    x = op("Add", [x, op("Gather", [const(w("embeddings.position_embeddings.weight")), op("Reshape", ["position_ids", flat])])])
    x = op("Add", [x, const(w("embeddings.token_type_embeddings.weight")[0])])
    x = layer_norm(x, "embeddings.LayerNorm")

    # The additive attention mask of a pack: 0 within a text, the float32
    # minimum across texts (as transformers does), shape (tokens, tokens).
    same = op("Equal", [op("Unsqueeze", ["segments", const(np.array([1]))]), op("Unsqueeze", ["segments", const(np.array([0]))])])
    bias = op("Where", [same, const(np.array(0.0, np.float32)), const(np.array(np.finfo(np.float32).min, np.float32))])

    split_heads = const(np.array([-1, heads, hidden // heads]))
    merge_heads = const(np.array([-1, hidden]))
    scale = const(np.array(1.0 / math.sqrt(hidden // heads), np.float32))
    sqrt2 = const(np.array(math.sqrt(2.0), np.float32))
    one, half = const(np.array(1.0, np.float32)), const(np.array(0.5, np.float32))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def heads_of(t: str, perm: list[int]) -> str:
            return op("Transpose", [op("Reshape", [t, split_heads])], perm=perm)

        q = heads_of(linear(x, p + "attention.self.query"), [1, 0, 2])
        k = heads_of(linear(x, p + "attention.self.key"), [1, 2, 0])
        v = heads_of(linear(x, p + "attention.self.value"), [1, 0, 2])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[1, 0, 2]), merge_heads])
        x = layer_norm(op("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        h = op("Mul", [op("Mul", [h, half]), op("Add", [op("Erf", [op("Div", [h, sqrt2])]), one])])  # exact GELU
        x = layer_norm(op("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Unsqueeze", [x, const(np.array([0]))], ["last_hidden_state"]))

    graph = helper.make_graph(
        nodes,
        "bert_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "tokens"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "tokens"]),
            helper.make_tensor_value_info("segments", TensorProto.INT64, ["tokens"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "tokens", hidden])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="cited-qa")
    model.ir_version = 8  # readable by any ONNX Runtime of the last few years
    return model.SerializeToString()


def _bert_config(folder: Path) -> dict[str, Any]:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{folder} has no readable config.json ({exc}).", "Use a sentence-transformers model folder.") from None
    act = config.get("hidden_act", "gelu")
    if config.get("model_type") != "bert" or act != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise SettingsError(
            f"The model in {folder} is a {config.get('model_type')!r} model ({act}); only BERT-family encoders run here.",
            "Use a BERT-family sentence-transformers folder (e.g. all-MiniLM-L6-v2, bge-small, e5-small), "
            "or register an Embedder of your own in index.embedding.EMBEDDERS.",
        )
    if not (folder / "model.safetensors").is_file():
        raise SettingsError(f"{folder} has no model.safetensors.", "Save the model with safetensors (the default of transformers).")
    return config
