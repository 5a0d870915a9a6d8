"""The meaning vectors a host searches: files every worker maps, none copies.

One directory per database under `settings.MEANING_INDEX_DIR` (`DJANGO_MEANING_DIR`),
holding segments and a manifest naming them:

- a **segment** (`seg-*.bin`, kb.search.segments) holds rows of `MeaningVector` as float32
  columns ready to be scored in place (numpy over `mmap`: the operating system's page
  cache holds one copy for every worker);
- the **manifest** (`manifest.json`) lists the segments and how far the database has been
  read: every row with an id up to `settled` is in a segment if it exists, and `above`
  lists the ids past it already read (PostgreSQL hands out ids before it commits them).

A change to the vectors is found by asking the database for rows past `settled` (one
query a search, by primary key); the first worker to see new ones writes them as a new
small segment, flags as dead the rows of the same videos that the database no longer
holds, and replaces the manifest, under an exclusive `flock`, every file written under a
temporary name and renamed into place: a worker that dies mid-write leaves the index as
it was. Other workers see the new manifest at their next search and map the new segment.
Small segments are merged now and then from the files alone (no database read), so an
edit costs what it changed. Rows deleted without a replacement are caught when a search
checks its best rows against the database (`kb.search.meaning`) and flagged dead then.

A file that is missing, torn or from another database is rebuilt from the database with
one warning in the log. Inside a transaction nothing is written: rows the transaction
sees past the files are read into memory for that search alone (a rolled-back
transaction must leave no trace in a file other processes read).
"""

import fcntl
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from kb.search.segments import Segment, SegmentWriter, copy_live_rows
from kb.stamp import newest_vector

log = logging.getLogger("kb.search")

# Read with the check, in one query: more new rows than this are read in a stream.
SMALL_CHANGE = 2000
# Small segments are merged into one once there are more than this many (a search pays
# a little for each segment it scores; merging a few small ones costs next to nothing)…
MAX_SEGMENTS = 4
# …and everything into one, dropping dead rows, once the small segments or the dead rows
# hold this share of the first (the cost of a merge, a copy of the files, is then paid
# once per that many changed rows).
MERGE_SHARE = 4
ROW_COLUMNS = "id, kind, lesson_id, chapter_id, video_id, quote_id, start_seconds, vector"
# (the highest vector id this statement sees, whether no other transaction can still
# commit a vector below it). A transaction that inserted or deleted a vector holds a
# RowExclusiveLock on the table until it ends, so: no other backend holds one now, and
# every transaction running when the statement's snapshot was taken is still running (one
# that ended in between may have committed rows the snapshot does not see). Transactions
# in other databases of the cluster (other sites, parallel test runs) never hold it.
IN_FLIGHT_SQL = """
WITH writing AS (
    SELECT pid FROM pg_locks
    WHERE locktype = 'relation' AND mode = 'RowExclusiveLock'
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND relation = 'kb_meaningvector'::regclass AND pid <> pg_backend_pid()
), running AS (
    SELECT transactionid::text AS xid FROM pg_locks
    WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted
)
SELECT (SELECT MAX(id) FROM kb_meaningvector),
       NOT EXISTS (SELECT FROM writing)
       AND NOT EXISTS (
           SELECT FROM pg_snapshot_xip(pg_current_snapshot()) AS x
           WHERE (x::text::bigint % 4294967296)::text NOT IN (SELECT xid FROM running)
       )
"""
# A worker checks that its files still belong to the database it reads this often.
RECHECK_SECONDS = 60.0


def directory_for(settings_dict: dict, vendor: str) -> Path | None:
    """This host's directory for the database `settings_dict` names (None: a database in
    memory, whose vectors are read into memory instead)."""
    name = str(settings_dict.get("NAME") or "")
    if vendor == "sqlite" and (not name or name == ":memory:" or "mode=memory" in name):
        return None
    where = "|".join(
        [vendor, str(settings_dict.get("HOST") or ""), str(settings_dict.get("PORT") or ""), name]
    )
    return (
        Path(settings.MEANING_INDEX_DIR)
        / f"{vendor}-{hashlib.sha1(where.encode()).hexdigest()[:12]}"
    )


class Broken(Exception):
    """The files cannot be used as they are (torn, missing, from another database)."""


class Store:
    """One database's vector files as this process sees them. `segments()` brings them up
    to date (one query when nothing changed) and returns what a search scores."""

    def __init__(self, directory: Path | None, kinds: tuple, dimensions: int, coarse: int,
                 scale: float):  # fmt: skip
        self.directory, self.kinds = directory, kinds
        self.dimensions, self.coarse, self.scale = dimensions, coarse, scale
        self.manifest: dict | None = None
        self.seen = None  # the manifest file's (inode, mtime, size) as last read
        self.opened: dict[str, Segment] = {}
        self.checked_at = None  # when the files were last checked against the database
        self.thread_lock = threading.RLock()
        # How the last search found the files (for tests and the log): "read", "synced",
        # "rebuilt", "in memory".
        self.last = ""

    # --- reading -----------------------------------------------------------------------

    def segments(self) -> list[Segment]:
        from django.db import transaction

        with self.thread_lock:
            writing = (
                self.directory is not None and not transaction.get_connection().in_atomic_block
            )
            rebuilt = False
            try:
                self._load(recheck=writing)
            except Broken as error:
                if not writing:  # the files are left alone: everything is read into memory
                    self.manifest, self.opened = None, {}
                else:
                    rebuilt = self._rebuild(str(error))
            settled = self.manifest["settled"] if self.manifest else 0
            above = set(self.manifest["above"]) if self.manifest else set()
            mapped = (
                [self.opened[name] for name in self.manifest["segments"]] if self.manifest else []
            )
            newest = newest_vector()  # read with the request's content stamp, if it was
            if newest is not None and newest <= settled and not above and self.manifest:
                self.last = "rebuilt" if rebuilt else "read"
                return mapped
            past = self._rows_past(settled, SMALL_CHANGE + 1)
            found = [r for r in past if r[1] in self.kinds and r[0] not in above]
            if not found and len(past) <= SMALL_CHANGE:
                self.last = "rebuilt" if rebuilt else "read"
                return mapped
            if writing:
                self._sync()
                self.last = "synced"
                return [self.opened[name] for name in self.manifest["segments"]]
            if len(past) > SMALL_CHANGE:
                found = [r for r in self._rows_past(settled) if r[0] not in above]
            self.last = "in memory"
            delta = Segment.from_rows(found, self.kinds, self.dimensions, self.coarse, self.scale)
            return [*mapped, delta]

    def rebuild(self) -> int | None:
        """The files written afresh from the database (`reindex`): how many rows; None
        inside a transaction (which may yet be rolled back: the next search outside one
        brings the files up to date)."""
        from django.db import transaction

        if self.directory is None or transaction.get_connection().in_atomic_block:
            return None
        with self.thread_lock, self._locked():
            self.manifest, self.seen, self.opened = None, None, {}
            self._sync(locked=True)
        return sum(len(segment) for segment in self.opened.values())

    def mark_dead(self, rows: list[tuple[Segment, int]]) -> None:
        """Rows a search found gone from the database: flagged dead for every process
        (not inside a transaction, which may yet be rolled back)."""
        from django.db import transaction

        if transaction.get_connection().in_atomic_block or self.directory is None:
            return
        with self.thread_lock, self._locked():
            self.seen = None
            try:
                self._load(recheck=False)
            except Broken:
                return  # the next search rebuilds
            current = set(self.manifest["segments"]) if self.manifest else set()
            for segment, index in rows:
                if segment.path is not None and segment.path.name in current:
                    segment.mark_dead([index])

    def _load(self, recheck: bool) -> None:
        """The manifest and its segments, read again only when the manifest was replaced;
        Broken when they cannot be used."""
        if self.directory is None:
            self.manifest = None
            return
        for _ in range(3):
            if not self._read_manifest():
                break  # none yet: the first search writes it
            if self._whole():
                break
            self.seen = None  # a segment went: read the manifest that replaced it
        else:
            raise Broken("a segment it names is missing, or changed while mapped")
        if self.manifest is None:
            return
        due = self.checked_at is None or (
            recheck and time.monotonic() - self.checked_at > RECHECK_SECONDS
        )
        if due:
            identity, last_id = self._identity()
            self.checked_at = time.monotonic()
            if self.manifest.get("identity") != identity:
                raise Broken("its files were written for another database")
            if last_id < self.manifest.get("through", 0):
                raise Broken("the database's vectors were replaced (its ids went back)")

    def _read_manifest(self) -> bool:
        """The manifest read (again if replaced) and its segments mapped: False when
        there is none."""
        path = self.directory / "manifest.json"
        try:
            stat = path.stat()
        except FileNotFoundError:
            self.manifest, self.seen, self.opened = None, None, {}
            return False
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen == self.seen and self.manifest is not None:
            return True
        try:
            try:
                manifest = json.loads(path.read_text())
            except ValueError as error:
                raise Broken(f"its manifest is unreadable ({error})") from None
            if manifest.get("format") != 1 or not isinstance(manifest.get("segments"), list):
                raise Broken("its manifest is not one this code reads")
            opened = {}
            for name in manifest["segments"]:
                opened[name] = self.opened.get(name) or Segment.open(
                    self.directory / name, self.dimensions, self.coarse
                )
        except FileNotFoundError:
            self.seen = None  # replaced while being read: the caller reads it again
            return True
        except (ValueError, OSError) as error:
            raise Broken(str(error)) from None
        self.opened, self.manifest, self.seen = opened, manifest, seen
        return True

    def _whole(self) -> bool:
        """Whether every mapped segment is still the file it was, at its size: a file
        cut short under a mapping must never be read (the process would be killed).
        Asked before every search: a stat a segment, microseconds."""
        if self.seen is None:
            return False
        for name in self.manifest["segments"]:
            try:
                stat = (self.directory / name).stat()
            except FileNotFoundError:
                return False
            if (stat.st_ino, stat.st_size) != self.opened[name].file:
                return False
        return True

    # --- the database ---------------------------------------------------------------

    def _rows_past(self, settled: int, limit: int | None = None):
        """(pk, kind, lesson, chapter, video, quote, start, vector) of the searched rows
        past `settled`, in order of id: by primary key alone (every search asks, and
        the rows past `settled` are few), the kinds kept out here."""
        if limit:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {ROW_COLUMNS} FROM kb_meaningvector WHERE id > %s ORDER BY id"
                    " LIMIT %s",
                    [settled, limit],
                )
                return cursor.fetchall()  # every kind: the caller sees whether it was cut
        from kb.models import MeaningVector

        rows = (
            MeaningVector.objects.filter(pk__gt=settled, kind__in=self.kinds)
            .order_by("pk")
            .values_list("pk", "kind", "lesson_id", "chapter_id", "video_id", "quote_id",
                         "start_seconds", "vector")
        )  # fmt: skip
        return rows.iterator(chunk_size=5000)

    def _identity(self) -> tuple[str, int]:
        """(what tells this database from another of the same name, the last id handed
        out for a vector)."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT oid::text, COALESCE(pg_sequence_last_value("
                    "pg_get_serial_sequence('kb_meaningvector', 'id')::regclass), 0) "
                    "FROM pg_database WHERE datname = current_database()"
                )
                oid, last = cursor.fetchone()
                return f"postgresql {oid}", int(last)
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'kb_meaningvector'")
            row = cursor.fetchone()
            stat = os.stat(connection.settings_dict["NAME"])
            return f"sqlite {stat.st_dev}:{stat.st_ino}", int(row[0]) if row else 0

    def _top(self) -> tuple[int, bool]:
        """(the highest vector id committed, whether every id below it is committed or
        never will be): PostgreSQL hands ids out before commit, so ids settle only when no
        other transaction is writing vectors; SQLite's one writer at a time always does."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(IN_FLIGHT_SQL)
                top, quiet = cursor.fetchone()
                return int(top or 0), bool(quiet)
            cursor.execute("SELECT MAX(id) FROM kb_meaningvector")
            return int(cursor.fetchone()[0] or 0), True

    # --- writing (under the lock) ---------------------------------------------------------

    def _locked(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return _FileLock(self.directory / "lock")

    def _rebuild(self, why: str) -> bool:
        """Whether this process rebuilt the files (False: another had, meanwhile)."""
        started = time.perf_counter()
        with self._locked():
            try:  # another worker may have rebuilt it while this one waited
                self.seen, self.checked_at = None, None
                self._load(recheck=True)
                return False
            except Broken:
                pass
            self.manifest, self.seen, self.opened = None, None, {}
            self._sync(locked=True)
        log.warning(
            "meaning index %s: %s; rebuilt from the database in %.1f s (%d rows)",
            self.directory, why, time.perf_counter() - started,
            sum(len(s) for s in self.opened.values()),
        )  # fmt: skip
        return True

    def _sync(self, locked: bool = False) -> None:
        """Read the rows past `settled` into a new segment, flag the rows they replace,
        merge when due, and publish the new manifest."""
        if not locked:
            with self._locked():
                self.seen = None
                try:
                    self._load(recheck=False)
                except Broken as error:
                    log.warning("meaning index %s: %s; rebuilding it", self.directory, error)
                    self.manifest, self.opened = None, {}
                return self._sync(locked=True)
        if self.manifest is None:
            identity, last_id = self._identity()
            self.checked_at = time.monotonic()
            self.manifest = {"format": 1, "identity": identity, "settled": 0, "above": [],
                             "through": 0, "segments": [], "next": 1}  # fmt: skip
        manifest = dict(self.manifest)
        above = set(manifest["above"])
        top, quiet = self._top()
        writer = SegmentWriter(self.directory, self.kinds, self.dimensions, self.coarse, self.scale)
        new_ids, touched = [], set()
        for row in self._rows_past(manifest["settled"]):
            if row[0] not in above:
                writer.add(row)
                new_ids.append(row[0])
                touched.add(row[4])
        segments = list(manifest["segments"])
        if new_ids:
            if segments:  # a first build replaces nothing
                self._flag_replaced(segments, touched)
            segments.append(self._write(writer, manifest))
        else:
            writer.discard()
        settled = max(manifest["settled"], top) if quiet else manifest["settled"]
        manifest["above"] = sorted(i for i in above.union(new_ids) if i > settled)
        manifest["settled"] = settled
        manifest["through"] = max([manifest["through"], *new_ids])
        manifest["segments"] = self._merged(segments, manifest)
        self._publish(manifest)

    def _flag_replaced(self, segments: list[str], videos: set[int]) -> None:
        """Rows of these videos that the database no longer holds, flagged dead: a video,
        lesson or quote embedded afresh has its old rows deleted as its new ones come."""
        from kb.models import MeaningVector

        wanted = np.array(sorted(videos), dtype=np.int64)
        live = set()
        for at in range(0, len(wanted), 500):
            live.update(
                MeaningVector.objects.filter(
                    video_id__in=wanted[at : at + 500].tolist(), kind__in=self.kinds
                ).values_list("pk", flat=True)
            )
        live_ids = np.array(sorted(live), dtype=np.int64)
        for name in segments:
            segment = self.opened[name]
            of_videos = np.isin(segment.ids[3], wanted)
            gone = of_videos & ~np.isin(segment.ids[0], live_ids) & (segment.dead == 0)
            if gone.any():
                segment.mark_dead(np.flatnonzero(gone))

    def _merged(self, segments: list[str], manifest: dict) -> list[str]:
        """The segments, merged when due (from the files alone: no database read)."""
        segments = [n for n in segments if (self.opened[n].dead == 0).any()]
        if len(segments) < 2:
            return segments
        sizes = [len(self.opened[n]) for n in segments]
        dead = sum(int(self.opened[n].dead.sum()) for n in segments)
        if sum(sizes[1:]) * MERGE_SHARE > sizes[0] or dead * MERGE_SHARE > sum(sizes):
            chosen = segments
        elif len(segments) > MAX_SEGMENTS:
            chosen = segments[1:]
        else:
            return segments
        writer = SegmentWriter(self.directory, self.kinds, self.dimensions, self.coarse, self.scale)
        copy_live_rows([self.opened[n] for n in chosen], writer)
        return [n for n in segments if n not in chosen] + [self._write(writer, manifest)]

    def _write(self, writer: SegmentWriter, manifest: dict) -> str:
        """The writer's segment, under a name never used before (another process may still
        have a removed segment mapped under its own name)."""
        name = f"seg-{manifest['next']:06d}-{secrets.token_hex(4)}.bin"
        manifest["next"] += 1
        writer.finish(self.directory / name)
        self.opened[name] = Segment.open(self.directory / name, self.dimensions, self.coarse)
        return name

    def _publish(self, manifest: dict) -> None:
        temporary = self.directory / f"tmp-{os.getpid()}-manifest.json"
        with open(temporary, "w") as out:
            json.dump(manifest, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.directory / "manifest.json")
        # Files no manifest names any more (merged, or left by a process that died while
        # writing): only the lock's holder writes, so none is in use by a writer.
        for path in self.directory.iterdir():
            if path.name.startswith("tmp-") or (
                path.name.startswith("seg-") and path.name not in manifest["segments"]
            ):
                path.unlink(missing_ok=True)
        self.seen = None
        self._load(recheck=False)


class _FileLock:
    """An exclusive `flock` on a file: released by the kernel if its holder dies."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
