"""The files of the meaning index (kb.search.vectors): a segment is rows of
`MeaningVector` sorted by kind, stored column by column, each column an array numpy maps
in place:

    header (4,096 bytes: a magic line, then JSON: rows, each kind's range, dimensions)
    ids     int64   five rows of `rows`: pk, lesson, chapter, video, quote (-1: none)
    starts  float64 the moment (NaN: none)
    dead    uint8   1 once the database no longer holds the row
    head    int8    rows x coarse: the first dimensions, as stored (every search reads
                    them all: a quarter of float32's bytes to hold and to read)
    tail    int8    rows x (dimensions - coarse): the rest, as stored (a search reads
                    only its shortlist's)

Both are the database's int8 numbers (kb.search.meaning.SCALE times the normalised
vector's); a search scales its query instead (kb.search.nearest).

Only `dead` is ever written after a segment is made (one byte a row, in place); a new
segment is written under a temporary name and renamed into place, so a reader never sees
half of one.
"""

import json
import mmap
import os
import tempfile
from pathlib import Path

import numpy as np

# A file of another format is rebuilt from the database (kb.search.vectors).
MAGIC = b"kb-meaning-segment 3\n"
HEADER_BYTES = 4096
ID_COLUMNS = ("pk", "lesson", "chapter", "video", "quote")


def _align(n: int) -> int:
    return (n + 63) // 64 * 64


class Layout:
    """Where each column of a segment of `rows` rows lies in its file."""

    def __init__(self, rows: int, dimensions: int, coarse: int):
        self.rows, self.dimensions, self.coarse = rows, dimensions, coarse
        at, self.places = HEADER_BYTES, {}
        for name, dtype, shape in (
            ("ids", "<i8", (len(ID_COLUMNS), rows)),
            ("starts", "<f8", (rows,)),
            ("dead", "u1", (rows,)),
            ("head", "i1", (rows, coarse)),
            ("tail", "i1", (rows, dimensions - coarse)),
        ):
            self.places[name] = (at, np.dtype(dtype), shape)
            at = _align(at + int(np.prod(shape)) * np.dtype(dtype).itemsize)
        self.size = at


class Segment:
    """Rows sorted by kind, their columns as arrays: views of a mapped file, or arrays in
    memory (`from_rows`) for what a transaction sees past the files."""

    def __init__(self, kinds: dict[str, tuple[int, int]], columns: dict, scale: float,
                 path=None, file=None):  # fmt: skip
        self.kinds, self.path, self.scale = kinds, path, scale
        self.file = file  # (inode, size) of the file mapped
        self.ids = columns["ids"]
        self.starts, self.dead = columns["starts"], columns["dead"]
        self.head, self.tail = columns["head"], columns["tail"]

    def __len__(self) -> int:
        return len(self.starts)

    def rows_of(self, kind: str) -> tuple[int, int]:
        return tuple(self.kinds.get(kind, (0, 0)))

    @classmethod
    def open(cls, path: Path, dimensions: int, coarse: int) -> "Segment":
        """A segment file, mapped read-only; ValueError when it is not whole."""
        with open(path, "rb") as file:
            stat = os.fstat(file.fileno())
            size = stat.st_size
            if size < HEADER_BYTES:
                raise ValueError(f"{path.name} is cut short ({size} bytes)")
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        header = bytes(mapped[:HEADER_BYTES])
        if not header.startswith(MAGIC):
            raise ValueError(f"{path.name} is not a segment")
        try:
            described = json.loads(header[len(MAGIC) :].rstrip(b" \0"))
            rows, kinds = int(described["rows"]), described["kinds"]
            scale = float(described["scale"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path.name}'s header is unreadable ({error})") from None
        layout = Layout(rows, dimensions, coarse)
        if described.get("dimensions") != [dimensions, coarse] or size != layout.size:
            raise ValueError(f"{path.name} is not the size its header says")
        columns = {
            name: np.frombuffer(mapped, dtype, int(np.prod(shape)), at).reshape(shape)
            for name, (at, dtype, shape) in layout.places.items()
        }
        kinds = {k: tuple(v) for k, v in kinds.items()}
        return cls(kinds, columns, scale, path, (stat.st_ino, size))

    @classmethod
    def from_rows(cls, rows: list, kinds: tuple, dimensions: int, coarse: int, scale: float):
        """In memory, from (pk, kind, lesson, chapter, video, quote, start, vector) rows."""
        order = sorted(range(len(rows)), key=lambda i: (kinds.index(rows[i][1]), rows[i][0]))
        records = _records([rows[i] for i in order], dimensions)
        columns = _columns(records, coarse)
        columns["dead"] = np.zeros(len(records), dtype=np.uint8)
        return cls(_ranges([rows[i][1] for i in order], kinds), columns, scale)

    def mark_dead(self, indices) -> None:
        """Flag these rows dead: in the file for every process when it is one (called
        under the index's lock), else in memory."""
        if self.path is None:
            self.dead = self.dead.copy()
            self.dead[list(indices)] = 1
            return
        at = Layout(len(self), self.head.shape[1] + self.tail.shape[1], self.head.shape[1])
        offset = at.places["dead"][0]
        fd = os.open(self.path, os.O_WRONLY)
        try:
            for i in indices:
                os.pwrite(fd, b"\1", offset + int(i))
        finally:
            os.close(fd)


def _record_type(dimensions: int) -> np.dtype:
    return np.dtype(
        [("ids", "<i8", len(ID_COLUMNS)), ("start", "<f8"), ("vector", "i1", dimensions)]
    )


def _records(rows, dimensions: int) -> np.ndarray:
    records = np.zeros(len(rows), dtype=_record_type(dimensions))
    for at, (pk, _kind, lesson, chapter, video, quote, start, vector) in enumerate(rows):
        records[at]["ids"] = [-1 if v is None else v for v in (pk, lesson, chapter, video, quote)]
        records[at]["start"] = float("nan") if start is None else start
        records[at]["vector"] = np.frombuffer(bytes(vector), dtype=np.int8)
    return records


def _columns(records: np.ndarray, coarse: int) -> dict:
    vectors = records["vector"]
    head = np.ascontiguousarray(vectors[:, :coarse])
    tail = np.ascontiguousarray(vectors[:, coarse:])
    return {"ids": np.ascontiguousarray(records["ids"].T), "starts": records["start"].copy(),
            "head": head, "tail": tail}  # fmt: skip


def _ranges(kinds_in_order: list[str], kinds: tuple) -> dict[str, tuple[int, int]]:
    ranges, at = {}, 0
    for kind in kinds:
        n = sum(1 for k in kinds_in_order if k == kind) if kinds_in_order else 0
        ranges[kind] = (at, at + n)
        at += n
    return ranges


class SegmentWriter:
    """Writes rows, in any order of kinds, into a new segment file: spooled by kind to
    temporary record files first, then laid out column by column in chunks, so that
    writing a million lines' vectors needs no more memory than a chunk."""

    # Rows a chunk: a writer holds a few of them at once (a few megabytes).
    CHUNK = 4096

    def __init__(self, directory: Path, kinds: tuple, dimensions: int, coarse: int, scale: float):
        self.directory, self.kinds = directory, kinds
        self.dimensions, self.coarse, self.scale = dimensions, coarse, scale
        self.record = _record_type(dimensions)
        self.spools = {
            kind: tempfile.TemporaryFile(dir=directory, prefix="tmp-spool-") for kind in kinds
        }
        self.counts = dict.fromkeys(kinds, 0)
        self.pending: list = []

    def add(self, row) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.CHUNK:
            self._spool()

    def _spool(self) -> None:
        for kind in self.kinds:
            mine = [row for row in self.pending if row[1] == kind]
            if mine:
                self.spools[kind].write(_records(mine, self.dimensions).tobytes())
                self.counts[kind] += len(mine)
        self.pending = []

    def discard(self) -> None:
        for spool in self.spools.values():
            spool.close()

    def finish(self, path: Path) -> int:
        """The segment written to `path` (atomically: a temporary name, then renamed);
        the number of rows."""
        self._spool()
        rows = sum(self.counts.values())
        layout = Layout(rows, self.dimensions, self.coarse)
        ranges, at = {}, 0
        for kind in self.kinds:
            ranges[kind] = (at, at + self.counts[kind])
            at += self.counts[kind]
        described = json.dumps(
            {
                "rows": rows,
                "kinds": ranges,
                "dimensions": [self.dimensions, self.coarse],
                "scale": self.scale,
            }  # fmt: skip
        ).encode()
        header = MAGIC + described
        if len(header) > HEADER_BYTES:
            raise ValueError("segment header too long")
        temporary = path.with_name(f"tmp-{os.getpid()}-{path.name}")
        with open(temporary, "wb") as out:
            out.truncate(layout.size)
            out.write(header.ljust(HEADER_BYTES, b" "))
        if rows:
            target = np.memmap(temporary, dtype=np.uint8, mode="r+")
            columns = {
                name: np.frombuffer(target, dtype, int(np.prod(shape)), at).reshape(shape)
                for name, (at, dtype, shape) in layout.places.items()
            }
            for kind in self.kinds:
                self._copy(kind, ranges[kind][0], columns)
            target.flush()
            del columns, target
        with open(temporary, "rb") as done:
            os.fsync(done.fileno())
        os.replace(temporary, path)
        self.discard()
        return rows

    def _copy(self, kind: str, first: int, columns: dict) -> None:
        spool, count = self.spools[kind], self.counts[kind]
        spool.seek(0)
        done = 0
        while done < count:
            n = min(self.CHUNK, count - done)
            records = np.frombuffer(spool.read(n * self.record.itemsize), dtype=self.record)
            made = _columns(records, self.coarse)
            at = slice(first + done, first + done + n)
            columns["ids"][:, at] = made["ids"]
            for name in ("starts", "head", "tail"):
                columns[name][at] = made[name]
            done += n


def copy_live_rows(segments: list[Segment], writer: SegmentWriter) -> None:
    """Every row of these segments that is not dead, into `writer` (a merge)."""
    for segment in segments:
        for kind in writer.kinds:
            first, last = segment.rows_of(kind)
            for start in range(first, last, SegmentWriter.CHUNK):
                stop = min(start + SegmentWriter.CHUNK, last)
                live = np.flatnonzero(segment.dead[start:stop] == 0) + start
                if not len(live):
                    continue
                records = np.zeros(len(live), dtype=writer.record)
                records["ids"] = segment.ids[:, live].T
                records["start"] = segment.starts[live]
                records["vector"] = np.hstack([segment.head[live], segment.tail[live]])
                writer.spools[kind].write(records.tobytes())
                writer.counts[kind] += len(live)
