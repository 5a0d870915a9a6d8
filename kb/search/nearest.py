"""The closest vectors to a query, over the mapped segments of one kind
(kb.search.segments): what search by meaning and insights read.

Each vector is stored as int8 in two parts: its first dimensions and the rest. The first
carry the most (both models' vectors are trained so: Matryoshka), so a search scores
every row on them alone and orders only a shortlist of the best on the whole vector,
reading the rest of the shortlist's rows alone. That scan of every row multiplies the
int8 rows by the query made int8 too, in simsimd's SIMD kernels (exact integer sums; the
query's rounding only chooses the shortlist). The shortlist's scores, and any other
few rows', are exact: the query divided by the stored numbers' scale, the int8 rows made
float32 (a quarter of the bytes of float32 rows to hold and read). A narrowed search (a
theme, a video) whose readers see few rows scores just those. Should the shortlist not be enough
(its best rows refused), every row is scored whole. Nothing is copied: the arrays are
the mapped files themselves.
"""

import itertools
import threading
from typing import NamedTuple

import numpy as np
import simsimd

from kb.search.segments import ID_COLUMNS

# The shortlist scored whole: SHORTLIST rows, or one in SHORTLIST_SHARE if more, so that
# as many of the exact best are found at any size (bench/meaning_shortlist.py measures it).
SHORTLIST = 4000
SHORTLIST_SHARE = 40
# The best rows a search walks are sorted this many at a time: it seldom needs more, and
# sorting a shortlist of thousands for them cost more than scoring it.
FIRST_SORTED = 64
# Rows scored at a time when many are (see _scores): 4 MB of float32 for 64 dimensions.
BLOCK = 16_384


class Row(NamedTuple):
    pk: int
    lesson: int | None
    chapter: int | None
    video: int
    start: float | None
    quote: int | None
    excerpt: str = ""  # the stored excerpt, once the database has confirmed the row


class Vectors:
    """One kind's vectors, over the parts (segment, first row, end) that hold it."""

    def __init__(self, parts: list[tuple]):
        self.parts = [(segment, first, last) for segment, first, last in parts if last > first]
        self.offsets = np.cumsum([0] + [last - first for _, first, last in self.parts])
        # Rows a search found gone from the database: (index, (segment, row)), to flag dead.
        self.gone: list[tuple] = []

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def _locate(self, i: int) -> tuple:
        part = int(np.searchsorted(self.offsets, i, side="right")) - 1
        segment, first, _ = self.parts[part]
        return segment, first + i - int(self.offsets[part])

    def row(self, i: int) -> Row:
        segment, at = self._locate(i)
        pk, lesson, chapter, video, quote = (int(v) for v in segment.ids[:, at])
        start = float(segment.starts[at])
        return Row(
            pk,
            lesson if lesson >= 0 else None,
            chapter if chapter >= 0 else None,
            video,
            None if np.isnan(start) else start,
            quote if quote >= 0 else None,
        )

    def _each(self, read):
        if len(self.parts) == 1:
            return read(*self.parts[0])
        return np.concatenate([read(segment, first, last) for segment, first, last in self.parts])

    def pointing_at(self, column: str, ids: np.ndarray) -> np.ndarray:
        """Which rows' `column` id is in `ids` (a sorted array), as a boolean mask."""
        at = ID_COLUMNS.index(column)
        return self._each(lambda segment, first, last: np.isin(segment.ids[at, first:last], ids))

    def _coarse(self, query: np.ndarray) -> np.ndarray:
        """Every row's score on the first dimensions, in order, by the query rounded to
        int8: close enough to choose a shortlist by, never a similarity to show."""
        return self._each(lambda s, a, b: _rounded_scores(s.head[a:b], query[: s.head.shape[1]], s))

    def _whole(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """These rows' exact scores on the whole vector: the first dimensions' and the
        rest's, each part of `rows` located once."""
        out = np.empty(len(rows), dtype=np.float32)
        for segment, at, positions in self._by_part(rows):
            coarse = segment.head.shape[1]
            out[at] = _scores(segment.head[positions], query[:coarse], segment) + _scores(
                segment.tail[positions], query[coarse:], segment
            )
        return out

    def _by_part(self, rows: np.ndarray):
        """(segment, where in `rows`, rows in the segment) for each part `rows` touches."""
        part = np.searchsorted(self.offsets, rows, side="right") - 1
        for n, (segment, first, _) in enumerate(self.parts):
            at = np.flatnonzero(part == n)
            if len(at):
                yield segment, at, rows[at] - int(self.offsets[n]) + first

    def _everything(self, query: np.ndarray) -> np.ndarray:
        """Every row scored whole."""
        heads = self._each(lambda s, a, b: _scores(s.head[a:b], query[: s.head.shape[1]], s))
        tails = self._each(lambda s, a, b: _scores(s.tail[a:b], query[s.head.shape[1] :], s))
        return heads + tails

    def best(
        self,
        query: np.ndarray,
        limit: int,
        floor: float,
        visible: np.ndarray | None = None,
        keep=None,
        check=None,
    ) -> list[tuple[Row, float]]:
        """(row, similarity) of the closest rows, at least `floor` similar, that the
        boolean mask `visible` (if given) lets through, that `keep(row)` (if given)
        accepts, and that `check` (if given) confirms: asked of the best few only, in
        small batches, it returns {pk: excerpt} of those readers may see, and the pks
        the database no longer holds (set aside in `gone`). When the shortlist runs out
        before `limit` rows are found or the floor is reached, every row is scored
        whole."""
        n = len(self)
        if not n:
            return []
        query = query.astype(np.float32)
        hidden = self._each(lambda s, a, b: s.dead[a:b] != 0)
        if visible is not None:
            hidden |= ~visible
        confirmed: dict[int, str | None] = {}
        size = max(SHORTLIST, n // SHORTLIST_SHARE)
        shown = int((~hidden).sum())
        if visible is not None and shown <= size:
            # A narrowed search's few rows, each scored whole: all it can show.
            rows = np.flatnonzero(~hidden)
            exact = self._whole(rows, query)
            return self._walk(rows, exact, limit, floor, keep, check, confirmed)[0]
        if n > size:  # first, a shortlist by the first dimensions
            coarse = self._coarse(query)
            coarse[hidden] = -np.inf
            shortlist = np.sort(np.argpartition(coarse, n - size)[n - size :])
            exact = self._whole(shortlist, query)
            exact[hidden[shortlist]] = -np.inf  # hidden rows fill a shortlist of the few shown
            found, complete = self._walk(shortlist, exact, limit, floor, keep, check, confirmed)
            if complete:
                return found
            for i, _ in self.gone:
                hidden[i] = True
        exact = self._everything(query)
        exact[hidden] = -np.inf
        found, _ = self._walk(np.arange(n), exact, limit, floor, keep, check, confirmed)
        return found

    def _walk(self, shortlist, exact, limit, floor, keep, check, confirmed):
        """The shortlist's best rows in order, asked of `check` a few at a time: (found,
        whether the walk is complete: `limit` found, or the floor reached)."""
        reached_floor = False

        def candidates():
            nonlocal reached_floor
            for at in _best_first(exact):
                if exact[at] < floor:
                    reached_floor = True
                    return  # the rest are less similar (or hidden)
                row = self.row(int(shortlist[at]))
                if confirmed.get(row.pk, "") is not None and (keep is None or keep(row)):
                    yield row, float(exact[at]), int(shortlist[at])

        found, stream = [], candidates()
        while batch := list(itertools.islice(stream, max(8, 2 * (limit - len(found))))):
            unknown = [row for row, _, _ in batch if row.pk not in confirmed]
            if check is not None and unknown:
                shown, gone = check(unknown)
                for row, _, i in batch:
                    if row.pk in gone:
                        self.gone.append((i, self._locate(i)))
                confirmed.update((row.pk, shown.get(row.pk)) for row in unknown)
            for row, similarity, _ in batch:
                excerpt = confirmed.get(row.pk, "") if check is not None else ""
                if excerpt is not None:
                    found.append((row._replace(excerpt=excerpt), similarity))
                    if len(found) == limit:
                        return found, True
        return found, reached_floor


def _scores(rows: np.ndarray, query: np.ndarray, segment) -> np.ndarray:
    """int8 `rows` (as stored: the vectors times the segment's scale) times the float32
    `query` part, as float32 similarities. Many rows are made float32 a block at a time
    in a buffer the processor's cache holds, each block scored by BLAS: numpy's cast of
    the whole array, or einsum over int8, was much slower (bench/results)."""
    query = query / np.float32(segment.scale)
    if len(rows) <= BLOCK:
        return np.einsum("ij,j->i", rows, query, dtype=np.float32)
    out = np.empty(len(rows), dtype=np.float32)
    block = _block(rows.shape[1])
    for at in range(0, len(rows), BLOCK):
        end = min(at + BLOCK, len(rows))
        np.copyto(block[: end - at], rows[at:end], casting="unsafe")
        np.matmul(block[: end - at], query, out=out[at:end])
    return out


def _rounded_scores(rows: np.ndarray, query: np.ndarray, segment) -> np.ndarray:
    """int8 `rows` (C-contiguous, as segments store them) times the float32 `query` part
    rounded to int8 (its largest number 127), as float32: each score within a rounding of
    the query's of `_scores`'."""
    query = query / np.float32(segment.scale)
    largest = float(np.abs(query).max()) if len(query) else 0.0
    if not len(rows) or largest == 0.0 or not np.isfinite(largest):
        return np.zeros(len(rows), dtype=np.float32)
    rounded = np.rint(query * (127 / largest)).astype(np.int8)
    products = simsimd.cdist(rows, rounded[None, :], metric="dot", out_dtype="float32")
    return np.asarray(products).reshape(len(rows)) * np.float32(largest / 127)


_blocks = threading.local()


def _block(width: int) -> np.ndarray:
    """This thread's float32 buffer of BLOCK rows of `width`."""
    block = getattr(_blocks, "block", None)
    if block is None or block.shape != (BLOCK, width):
        block = _blocks.block = np.empty((BLOCK, width), dtype=np.float32)
    return block


def _best_first(scores: np.ndarray):
    """Indices of `scores`, highest first: the best FIRST_SORTED sorted alone, the rest
    only if the walk gets that far."""
    if len(scores) <= FIRST_SORTED:
        yield from np.argsort(-scores)
        return
    top = np.argpartition(-scores, FIRST_SORTED - 1)[:FIRST_SORTED]
    top = top[np.argsort(-scores[top])]
    yield from top
    rest = np.ones(len(scores), dtype=bool)
    rest[top] = False
    rest = np.flatnonzero(rest)
    yield from rest[np.argsort(-scores[rest])]
