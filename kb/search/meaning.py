"""Search by meaning: what a passage is about, whatever words it uses.

Texts become vectors with WordLlama, whose weights ship in its wheel: loaded from the
package's own folder with downloads off, so nothing is fetched at run time. Vectors are
stored (`kb.models.MeaningVector`, int8) for videos, lessons, quotes and windows of
transcript (about WINDOW_SECONDS of speech inside one chapter, so that a hit is a
moment), kept in step with the texts they are of by kb.importers.derived (on every
save, from any path) and rebuilt by `reindex`. A search compares the query's vector with
all of them at once, in a matrix each process loads once per content version.
"""

import functools
import os
from array import array
from typing import NamedTuple

import numpy as np

from kb.kept import kept, store, store_lock

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
# A search scores every row on the first COARSE_DIMENSIONS, then the best SHORTLIST rows,
# or one in SHORTLIST_SHARE if more, on all of them: a share, so that as many of the
# exact best are found at any size (bench/meaning_shortlist.py measures it).
COARSE_DIMENSIONS = 64
SHORTLIST = 4000
SHORTLIST_SHARE = 40
# What the model reads of a text, in its tokens: WordLlama was trained on texts cut at
# this length. Without a cut its tokenizer keeps every token and pads each batch to its
# longest text, so one 100,000-letter word (25,000 tokens) in a batch of 64 asked for
# gigabytes. Every window of transcript and every lesson of the samples and the seed is
# shorter (the longest about 220); a longer lesson's first tokens (its title, then its
# body) are what it is about.
MAX_TOKENS = 256
# Characters kept before tokenizing, so the tokenizer's own work is bounded too: no token
# of the vocabulary is longer than 16 characters, so this keeps every token the model reads.
MAX_CHARACTERS = MAX_TOKENS * 16


@functools.cache
def _model():
    import wordllama

    model = wordllama.WordLlama.load(
        cache_dir=os.path.dirname(wordllama.__file__), disable_download=True
    )
    model.tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return model


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row a text), each of what the model reads of it: its
    first MAX_TOKENS tokens. Every text the project embeds comes through here."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cut = [text[:MAX_CHARACTERS] for text in texts]
    return _unit(np.asarray(_model().embed(cut), dtype=np.float32)[:, :DIMENSIONS])


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def pack(vector: np.ndarray) -> bytes:
    return np.clip(np.round(vector * SCALE), -127, 127).astype(np.int8).tobytes()


def unpack(packed) -> np.ndarray:
    """What `pack` stored, as unit rows (float32, one a vector)."""
    return _unit(
        np.frombuffer(bytes(packed), dtype=np.int8).astype(np.float32).reshape(-1, DIMENSIONS)
    )


def stored_lesson_vectors(lesson_ids: list[int]):
    """(lesson id, unit vector) of the given lessons' stored vectors."""
    from kb.models import MeaningVector

    rows = MeaningVector.objects.filter(kind=LESSON, lesson_id__in=lesson_ids)
    for lesson_id, packed in rows.values_list("lesson_id", "vector").iterator():
        yield lesson_id, unpack(packed)[0]


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
    from kb.models import MeaningVector

    rows = MeaningVector.objects.filter(kind=PIECES, lesson_id__in=lesson_ids)
    return {
        lesson_id: unpack(packed)
        for lesson_id, packed in rows.values_list("lesson_id", "vector").iterator(chunk_size=5000)
    }


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
    from kb.models import MeaningVector

    MeaningVector.objects.filter(video=video).delete()
    if lessons is None:
        lessons = video.lessons.prefetch_related("takeaways")
    lessons = [lesson for lesson in lessons if not lesson.machine_draft]
    quotes = list(video.quotes.all())
    segments = list(video.segments.order_by("start_seconds", "id"))
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
    rows = [
        _video_row(video, next(vectors)),
        *(_quote_row(quote, next(vectors)) for quote in quotes),
        *(_lesson_row(lesson, next(vectors)) for lesson in lessons),
        *(
            MeaningVector(kind=WINDOW, video=video, chapter_id=segments[first].chapter_id,
                          start_seconds=segments[first].start_seconds, excerpt=text[:300],
                          vector=pack(next(vectors)))
            for first, text in cut
        ),
        *(
            pieces_row(lesson.pk, video.pk, np.stack([next(vectors) for _ in texts]))
            for lesson, texts in zip(lessons, pieces, strict=True)
        ),
    ]  # fmt: skip
    MeaningVector.objects.bulk_create(rows, batch_size=2000)


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


ID_COLUMNS = ("pk", "lesson", "chapter", "video", "quote")


class Row(NamedTuple):
    pk: int
    lesson: int | None
    chapter: int | None
    video: int
    start: float | None
    quote: int | None


class Matrix:
    """All stored vectors of one kind as float32 matrices, with what each row points at
    in plain arrays: no Python object per row, so a million lines' windows stay within a
    worker's memory budget (excerpts stay in the database).

    Each vector is kept in two parts, its first COARSE_DIMENSIONS and the rest: the first
    carry the most (Matryoshka), so a search scores every row on them alone and orders
    only a shortlist of the best on the whole vector. Splitting costs no memory."""

    def __init__(self, ids: dict[str, array], starts: array, vectors: bytearray):
        self.ids = [np.frombuffer(ids[name], dtype=np.int64) for name in ID_COLUMNS]
        self.starts = np.frombuffer(starts, dtype=np.float64)
        stored = np.frombuffer(vectors, dtype=np.int8).reshape(-1, DIMENSIONS)
        # float32, scaled once: scoring is a matrix product (converting int8 chunks on
        # every search cost more than the memory saved). Scaled in place: no second copy
        # of a big matrix, even for a moment.
        self.head = stored[:, :COARSE_DIMENSIONS].astype(np.float32)
        self.head /= SCALE
        self.tail = stored[:, COARSE_DIMENSIONS:].astype(np.float32)
        self.tail /= SCALE

    def __len__(self) -> int:
        return len(self.head)

    def row(self, i: int) -> Row:
        pk, lesson, chapter, video, quote = (int(column[i]) for column in self.ids)
        start = float(self.starts[i])
        return Row(
            pk,
            lesson if lesson >= 0 else None,
            chapter if chapter >= 0 else None,
            video,
            None if np.isnan(start) else start,
            quote if quote >= 0 else None,
        )

    def pointing_at(self, column: str, ids: np.ndarray) -> np.ndarray:
        """Which rows' `column` id is in `ids` (a sorted array), as a boolean mask."""
        return np.isin(self.ids[ID_COLUMNS.index(column)], ids)

    def best(
        self,
        query: np.ndarray,
        visible: np.ndarray,
        limit: int,
        floor: float,
        keep=None,
    ) -> list[tuple[Row, float]]:
        """(row, similarity) of the closest rows, at least `floor` similar, that the
        boolean mask `visible` lets through and that `keep(row)`, if given, accepts
        (asked of the best few only). When the shortlist runs out before `limit` rows
        are found or the floor is reached, every row is scored whole."""
        if not len(self):
            return []
        query = query.astype(np.float32)
        coarse = self.head @ query[:COARSE_DIMENSIONS]
        if not visible.all():
            coarse[~visible] = -np.inf
        found: list[tuple[Row, float]] = []
        first = max(SHORTLIST, len(self) // SHORTLIST_SHARE)
        for size in (first, len(self)) if len(self) > first else (len(self),):
            if size < len(self):
                shortlist = np.argpartition(coarse, len(self) - size)[len(self) - size :]
                exact = coarse[shortlist] + self.tail[shortlist] @ query[COARSE_DIMENSIONS:]
            else:  # every row, without copying the matrix
                shortlist = np.arange(len(self))
                exact = coarse + self.tail @ query[COARSE_DIMENSIONS:]
            found = []
            for at in np.argsort(-exact):
                if exact[at] < floor:
                    return found  # the rest are less similar (or masked out)
                row = self.row(int(shortlist[at]))
                if keep is None or keep(row):
                    found.append((row, float(exact[at])))
                    if len(found) == limit:
                        return found
        return found


def excerpts(rows) -> dict[int, str]:
    """The stored excerpt of each of these rows (one query, only for what is shown)."""
    from kb.models import MeaningVector

    pks = [row.pk for row in rows]
    return dict(MeaningVector.objects.filter(pk__in=pks).values_list("pk", "excerpt"))


def matrix(kind: str, version: int) -> Matrix:
    """The kind's vectors as of content `version`: every kind is loaded together, in one
    query, once per version per process."""
    from kb.models import MeaningVector

    with store_lock:
        if ("matrix", kind, version) not in store:
            kinds = SEARCHED
            ids = {k: {name: array("q") for name in ID_COLUMNS} for k in kinds}
            starts = {k: array("d") for k in kinds}
            vectors = {k: bytearray() for k in kinds}
            for name, pk, lesson, chapter, video, quote, start, vector in (
                MeaningVector.objects.filter(kind__in=kinds)
                .order_by("pk")
                .values_list("kind", "pk", "lesson_id", "chapter_id", "video_id", "quote_id",
                             "start_seconds", "vector")
                .iterator(chunk_size=5000)
            ):  # fmt: skip
                for column, value in zip(
                    ID_COLUMNS, (pk, lesson, chapter, video, quote), strict=True
                ):
                    ids[name][column].append(-1 if value is None else value)
                starts[name].append(float("nan") if start is None else start)
                vectors[name].extend(vector)
            for old in [k for k in store if k[0] == "matrix"]:
                del store[old]
            for name in kinds:
                store[("matrix", name, version)] = Matrix(ids[name], starts[name], vectors[name])
                vectors[name] = bytearray()  # the int8 copy is not needed any more
        return store[("matrix", kind, version)]


def visible_rows(kind: str, column: str, version: int, queryset, narrowed: bool) -> np.ndarray:
    """Which of the kind's vectors belong to a row of a readers' queryset (published
    lessons, chapters…), as a boolean mask over its matrix: kept per content version for
    the unnarrowed search most readers make, computed for a narrowed one."""

    def mask() -> np.ndarray:
        ids = np.unique(np.fromiter(queryset.values_list("pk", flat=True), dtype=np.int64))
        return matrix(kind, version).pointing_at(column, ids)

    return mask() if narrowed else kept(f"visible {kind} by {column}", version, mask)
