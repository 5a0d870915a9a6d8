"""Search by meaning: what a passage is about, whatever words it uses.

Texts become vectors with WordLlama, whose weights ship in its wheel: loaded from the
package's own folder with downloads off, so nothing is fetched at run time. Vectors are
stored (`kb.models.MeaningVector`, int8) for videos, lessons, quotes and windows of
transcript (about WINDOW_SECONDS of speech inside one chapter, so that a hit is a
moment), kept in step with the texts they are of by kb.importers.derived (on every
save, from any path) and rebuilt by `reindex`. A search compares the query's vector with
all of them at once, in files shared by every process of a host (kb.search.vectors),
confirming the few it shows against the database.
"""

import functools
import json
import os
from array import array

import numpy as np

from kb.search.nearest import Row, Vectors
from kb.search.segments import ID_COLUMNS, Segment
from kb.search.vectors import Store, directory_for

# WordLlama's vectors are trained so that their first dimensions carry the most
# (Matryoshka): the first 128 of its 256 keep a million lines' windows within a worker's
# memory, and a search's arithmetic small.
DIMENSIONS = 128
LESSON, WINDOW, VIDEO, QUOTE = "lesson", "window", "video", "quote"
# A lesson's pieces of advice (its title, then each takeaway): one row a lesson, its
# vectors one after another. Read by kb.insights, never by search.
PIECES = "pieces"
SEARCHED = (VIDEO, LESSON, QUOTE, WINDOW)
WINDOW_SECONDS = 45.0
# One window starting this often: overlapping by a third, so a passage cut by one
# window's edge is whole in the next.
WINDOW_STEP_SECONDS = 30.0
# int8 storage: a vector's numbers (each in -1..1 after normalising) times this.
SCALE = 127.0
# A search scores rows on their first COARSE_DIMENSIONS, then a shortlist of the best on
# all of them (kb.search.nearest).
COARSE_DIMENSIONS = 64
# What the model reads of a text, in tokens (WordLlama was trained on texts cut so).
# Uncut, one 100,000-letter word padded a batch of 64 to gigabytes. Windows and the
# samples' lessons are shorter; a longer lesson's first tokens say what it is about.
MAX_TOKENS = 256
# Characters kept before tokenizing, so the tokenizer's own work is bounded too: no token
# of the vocabulary is longer than 16 characters, so this keeps every token the model reads.
MAX_CHARACTERS = MAX_TOKENS * 16


@functools.cache
def _model():
    import wordllama

    # Only the first DIMENSIONS of each token's vector are read (the pooling is an average
    # per dimension, so the vectors are the same to the bit): half the weights in memory.
    model = wordllama.WordLlama.load(
        cache_dir=os.path.dirname(wordllama.__file__),
        disable_download=True,
        trunc_dim=DIMENSIONS,
    )
    model.tokenizer.enable_truncation(max_length=MAX_TOKENS)
    mapped = _mapped_weights(os.path.dirname(wordllama.__file__), model.embedding)
    if mapped is not None:
        model.embedding = mapped
    return model


WEIGHTS = os.path.join("weights", "l2_supercat_256.safetensors")


def _mapped_weights(package: str, loaded: np.ndarray) -> np.ndarray | None:
    """The model's token vectors mapped from its wheel's file (float16, as shipped) rather
    than copied into each process as float32: every worker then shares one copy in the
    page cache, and a query reads only its tokens' rows. Pooling multiplies them by a
    float32 mask first, so each is widened exactly as the copy was: the same vectors.
    None (keep the copy) if the file is not laid out as expected."""
    path = os.path.join(package, WEIGHTS)
    try:
        with open(path, "rb") as file:
            length = int.from_bytes(file.read(8), "little")
            header = json.loads(file.read(length))
        tensor = header["embedding.weight"]
        if tensor["dtype"] != "F16" or len(tensor["shape"]) != 2:
            return None
        mapped = np.memmap(
            path, dtype="<f2", mode="r", offset=8 + length + tensor["data_offsets"][0],
            shape=tuple(tensor["shape"]),
        )[:, : loaded.shape[1]]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    sample = np.linspace(0, len(loaded) - 1, 64).astype(int)
    if mapped.shape != loaded.shape or not np.array_equal(mapped[sample], loaded[sample]):
        return None
    return mapped


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row a text), each of what the model reads of it: its
    first MAX_TOKENS tokens. Every text the project embeds comes through here."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cut = [text[:MAX_CHARACTERS] for text in texts]
    return _unit(np.asarray(_model().embed(cut), dtype=np.float32))


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def pack(vector: np.ndarray) -> bytes:
    return np.clip(np.round(vector * SCALE), -127, 127).astype(np.int8).tobytes()


def windows(segments) -> list[tuple[int, str]]:
    """(index of its first segment, text) of windows of about WINDOW_SECONDS of speech,
    each inside one chapter, one starting every WINDOW_STEP_SECONDS (so they overlap)."""
    found, last_start, last_chapter = [], None, object()
    for first, segment in enumerate(segments):
        if segment.chapter_id != last_chapter:
            last_start, last_chapter = None, segment.chapter_id
        if last_start is not None and segment.start_seconds - last_start < WINDOW_STEP_SECONDS:
            continue
        words, n = [], first
        while (
            n < len(segments)
            and segments[n].chapter_id == segment.chapter_id
            and segments[n].start_seconds - segment.start_seconds < WINDOW_SECONDS
        ):
            words.append(segments[n].text)
            n += 1
        found.append((first, " ".join(words)))
        last_start = segment.start_seconds
    return found


def lesson_text(lesson) -> str:
    return "\n".join([lesson.title, lesson.body, *(t.text for t in lesson.takeaways.all())])


def lesson_pieces(lesson) -> list[str]:
    """A lesson's pieces of advice: its title, then each takeaway."""
    return [lesson.title, *(t.text for t in lesson.takeaways.all())]


def video_text(video) -> str:
    return "\n".join([video.title, video.channel, video.headline, video.intro])


def _lesson_row(lesson, vector: np.ndarray):
    from kb.models import MeaningVector

    return MeaningVector(
        kind=LESSON, video_id=lesson.video_id, lesson=lesson, chapter_id=lesson.chapter_id,
        start_seconds=lesson.start_seconds, excerpt=lesson.title[:300], vector=pack(vector),
    )  # fmt: skip


def pieces_row(lesson_id: int, video_id: int, vectors: np.ndarray):
    from kb.models import MeaningVector

    return MeaningVector(kind=PIECES, video_id=video_id, lesson_id=lesson_id, vector=pack(vectors))


def stored_pieces(lesson_ids) -> dict[int, np.ndarray]:
    """Lesson id → its pieces' unit vectors (one row a piece), for those stored."""
    ids, counts, rows = stored_matrix(PIECES, lesson_ids)
    if not len(ids):
        return {}
    return dict(zip(ids.tolist(), np.split(rows, np.cumsum(counts)[:-1]), strict=True))


def stored_matrix(
    kind: str, lesson_ids, dimensions: int = DIMENSIONS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lesson ids, how many vectors each holds, their unit rows) of the given lessons'
    stored `kind` vectors (LESSON, PIECES; kb.search.sense's, `dimensions` wide), by
    lesson id, one row per lesson at most:
    read as bytes and made one array at once, not one array a row (at 45,000 lessons,
    hundreds of megabytes of small arrays)."""
    from kb.models import MeaningVector

    rows = (
        MeaningVector.objects.filter(kind=kind, lesson_id__in=lesson_ids)
        .order_by("lesson_id", "pk")
        .values_list("lesson_id", "vector")
    )
    ids, counts, blobs = [], [], []
    for lesson_id, packed in rows.iterator(chunk_size=5000):
        if ids and ids[-1] == lesson_id:
            continue  # one a lesson
        packed = bytes(packed)
        ids.append(lesson_id)
        counts.append(len(packed) // dimensions)
        blobs.append(packed)
    matrix = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(-1, dimensions)
    matrix = matrix.astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    matrix /= norms  # in place: a copy of a few hundred thousand rows is not free
    return np.array(ids, dtype=np.int64), np.array(counts, dtype=np.int64), matrix


def _quote_row(quote, vector: np.ndarray):
    from kb.models import MeaningVector

    return MeaningVector(
        kind=QUOTE, video_id=quote.video_id, quote=quote, chapter_id=quote.chapter_id,
        start_seconds=quote.start_seconds, excerpt=quote.text[:300], vector=pack(vector),
    )  # fmt: skip


def index_video(video, lessons=None) -> None:
    """Embed a video (what it is about), its lessons, quotes and transcript windows
    afresh (after an import). `lessons`: its lessons with their takeaways, when the caller
    has them loaded. A machine draft has no vectors until an editor accepts it: search and
    insights never compare drafts nobody read."""
    from kb.models import MeaningVector, insert_rows

    MeaningVector.objects.filter(video=video).delete()
    if lessons is None:
        lessons = video.lessons.prefetch_related("takeaways")
    lessons = [lesson for lesson in lessons if not lesson.machine_draft]
    quotes = list(video.quotes.all())
    segments = list(
        video.segments.order_by("start_seconds", "id").values_list(
            "start_seconds", "chapter_id", "text", named=True
        )
    )
    cut = windows(segments)
    pieces = [lesson_pieces(lesson) for lesson in lessons]
    vectors = iter(
        embed(
            [video_text(video)]
            + [q.text for q in quotes]
            + [lesson_text(lesson) for lesson in lessons]
            + [t for _, t in cut]
            + [text for texts in pieces for text in texts]
        )
    )
    MeaningVector.objects.bulk_create([
        _video_row(video, next(vectors)),
        *(_quote_row(quote, next(vectors)) for quote in quotes),
        *(_lesson_row(lesson, next(vectors)) for lesson in lessons),
    ])  # fmt: skip
    # A long talk has tens of thousands of windows: written as plain rows.
    insert_rows(MeaningVector, (
        {"kind": WINDOW, "video_id": video.pk, "chapter_id": segments[first].chapter_id,
         "start_seconds": segments[first].start_seconds, "excerpt": text[:300],
         "vector": pack(next(vectors))}
        for first, text in cut
    ))  # fmt: skip
    MeaningVector.objects.bulk_create(
        pieces_row(lesson.pk, video.pk, np.stack([next(vectors) for _ in texts]))
        for lesson, texts in zip(lessons, pieces, strict=True)
    )


def _video_row(video, vector: np.ndarray):
    from kb.models import MeaningVector

    return MeaningVector(kind=VIDEO, video=video, excerpt=video.title[:300], vector=pack(vector))


def index_videos_own(videos) -> None:
    """Embed what each video is about (its title, channel, headline, intro) afresh,
    leaving its lessons, quotes and transcript windows as they are (an editor changed
    the video's words)."""
    from kb.models import MeaningVector

    videos = list(videos)
    MeaningVector.objects.filter(kind=VIDEO, video__in=videos).delete()
    vectors = embed([video_text(video) for video in videos])
    MeaningVector.objects.bulk_create(map(_video_row, videos, vectors))


def index_quotes(quotes) -> None:
    """Embed quotes afresh (accepted, cut or edited by an editor)."""
    from kb.models import MeaningVector

    quotes = list(quotes)
    MeaningVector.objects.filter(kind=QUOTE, quote__in=quotes).delete()
    vectors = embed([quote.text for quote in quotes])
    MeaningVector.objects.bulk_create(map(_quote_row, quotes, vectors))


def index_quote(quote) -> None:
    index_quotes([quote])


def index_lessons(lessons) -> None:
    """Embed lessons afresh, their takeaways loaded (after an editor changed them); a
    machine draft's vectors go (`index_video`)."""
    from kb.models import MeaningVector

    lessons = list(lessons)
    MeaningVector.objects.filter(kind__in=(LESSON, PIECES), lesson__in=lessons).delete()
    lessons = [lesson for lesson in lessons if not lesson.machine_draft]
    pieces = [lesson_pieces(lesson) for lesson in lessons]
    vectors = iter(
        embed(
            [lesson_text(lesson) for lesson in lessons]
            + [text for texts in pieces for text in texts]
        )
    )
    rows = [_lesson_row(lesson, next(vectors)) for lesson in lessons]
    rows += [
        pieces_row(lesson.pk, lesson.video_id, np.stack([next(vectors) for _ in texts]))
        for lesson, texts in zip(lessons, pieces, strict=True)
    ]
    MeaningVector.objects.bulk_create(rows)


def index_lesson(lesson) -> None:
    index_lessons([lesson])


class Matrix(Vectors):
    """All the given vectors of one kind in memory (tests, bench/meaning_shortlist.py)."""

    def __init__(self, ids: dict[str, array], starts: array, vectors: bytearray):
        columns = {
            "ids": np.stack([np.frombuffer(ids[name], dtype=np.int64) for name in ID_COLUMNS]),
            "starts": np.frombuffer(starts, dtype=np.float64),
        }
        stored = np.frombuffer(vectors, dtype=np.int8).reshape(-1, DIMENSIONS)
        columns["head"] = np.ascontiguousarray(stored[:, :COARSE_DIMENSIONS])
        columns["tail"] = np.ascontiguousarray(stored[:, COARSE_DIMENSIONS:])
        columns["dead"] = np.zeros(len(stored), dtype=np.uint8)
        segment = Segment({WINDOW: (0, len(stored))}, columns, SCALE)
        super().__init__([(segment, 0, len(stored))])
        self.ids, self.starts = columns["ids"], columns["starts"]
        self.head, self.tail = columns["head"], columns["tail"]

    def best(self, query, visible, limit, floor, keep=None):
        return super().best(query, limit, floor, visible=visible, keep=keep)


_stores: dict = {}
_directories: dict = {}


def _store() -> Store:
    """This process's view of the database in use's vector files on this host."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    key = (settings.MEANING_INDEX_DIR, connection.vendor, db.get("HOST"), db.get("PORT"),
           str(db.get("NAME")))  # fmt: skip
    if key not in _directories:
        _directories[key] = directory_for(db, connection.vendor)
    directory = _directories[key]
    if directory not in _stores:
        _stores[directory] = Store(directory, SEARCHED, DIMENSIONS, COARSE_DIMENSIONS, SCALE)
    return _stores[directory]


class Index:
    """The vectors one search reads: the host's files, brought up to date once."""

    def __init__(self):
        self.store = _store()
        self.segments = self.store.segments()

    def vectors(self, kind: str) -> Vectors:
        return Vectors([(segment, *segment.rows_of(kind)) for segment in self.segments])

    def best(self, kind, query, limit, floor, column, queryset, narrowed, keep=None):
        """The closest rows of `kind` whose `column` is a row of the readers' `queryset`:
        a narrowed search keeps only those before scoring (their ids are few), any
        search confirms its best few against the database (which also says which rows
        are gone: flagged dead in the files for every worker)."""
        vectors = self.vectors(kind)
        visible = None
        if narrowed and len(vectors):
            ids = np.unique(np.fromiter(queryset.values_list("pk", flat=True), dtype=np.int64))
            visible = vectors.pointing_at(column, ids)

        def check(rows):
            if narrowed:
                return _confirm(rows, column, queryset)
            return _remembered(kind, rows, column, queryset)

        found = vectors.best(query, limit, floor, visible, keep, check)
        if vectors.gone:
            self.store.mark_dead([where for _, where in vectors.gone])
        return found


def index() -> Index:
    return Index()


def rebuild_files() -> int | None:
    """This host's files for the database in use written afresh from the stored vectors
    (`reindex`); how many vectors they hold (None: not written, inside a transaction)."""
    return _store().rebuild()


# Answers remembered per content version, per kind, at most (then forgotten at once).
REMEMBERED = 50_000


def _remembered(kind: str, rows: list[Row], column: str, queryset):
    """`_confirm` for the readers' whole queryset, its answers remembered until the
    content version moves (every write that changes what readers may see moves it): a
    search asks only of the rows no search asked before under this version."""
    from kb.kept import kept
    from kb.stamp import content_version

    known = kept(f"meaning {kind} shown", content_version(), dict)
    answers = {row.pk: known[row.pk] for row in rows if row.pk in known}
    asked = [row for row in rows if row.pk not in answers]
    gone: set[int] = set()
    if asked:
        shown, gone = _confirm(asked, column, queryset)
        new = {row.pk: shown.get(row.pk) for row in asked}
        if len(known) + len(new) > REMEMBERED:
            known.clear()
        known.update(new)
        answers.update(new)
    return {pk: excerpt for pk, excerpt in answers.items() if excerpt is not None}, gone


def _confirm(rows: list[Row], column: str, queryset) -> tuple[dict[int, str], set[int]]:
    """({pk: excerpt} of the rows whose `column` is a row of `queryset`, {pks the
    database no longer holds as the files have them}): one query, by primary key. A row
    the database holds under the same id but pointing elsewhere (an id handed out again
    after a rollback, in a database replaced behind the files) counts as gone."""
    from django.db.models import Exists, OuterRef

    from kb.models import MeaningVector

    pks = [row.pk for row in rows]
    expected = {row.pk: (row.video, row.lesson, row.chapter, row.quote) for row in rows}
    found = MeaningVector.objects.filter(pk__in=pks).annotate(
        shown=Exists(queryset.order_by().filter(pk=OuterRef(f"{column}_id")))
    )
    shown, present = {}, set()
    for pk, video, lesson, chapter, quote, visible, excerpt in found.values_list(
        "pk", "video_id", "lesson_id", "chapter_id", "quote_id", "shown", "excerpt"
    ):
        if expected[pk] != (video, lesson, chapter, quote):
            continue
        present.add(pk)
        if visible:
            shown[pk] = excerpt
    return shown, set(pks) - present
