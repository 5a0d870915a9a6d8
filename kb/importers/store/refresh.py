"""The one rule of every import (`refresh`: a field an editor changed is kept), the
fields each model imports, and what an import reports (`Outcome`)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from kb.importers.derived import deferred
from kb.models import Video


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


@dataclass(frozen=True)
class Imported:
    """A field an import fills. `key` names it in the `imported` snapshot (default: the
    attribute); `snap` turns its value into what the snapshot keeps (JSON)."""

    attr: str
    key: str = ""
    snap: Callable[[Any], Any] = _plain

    @property
    def name(self) -> str:
        return self.key or self.attr


VIDEO_FIELDS = tuple(
    Imported(name)
    for name in (
        "title",
        "channel",
        "published_on",
        "duration_seconds",
        "headline",
        "intro",
        "conclusion",
        "resources",
    )
)


# What yt-dlp's info.json says of a video (kb.importers.ytdlp.VideoInfo).
INFO_FIELDS = tuple(
    Imported(name)
    for name in ("title", "channel", "published_on", "duration_seconds", "description")
)


CHAPTER_FIELDS = (Imported("title"),)


LESSON_FIELDS = (
    Imported("title"),
    Imported("body"),
    Imported("start_seconds"),
    # Compared by start time: the chapter rows may be new ones at the same place.
    Imported("chapter", "chapter_start", lambda c: c.start_seconds if c else None),
)


EMPTY = ("", None, [], {})


def refresh(obj: models.Model, fields, fresh: dict, imported: dict | None) -> dict:
    """Set `obj`'s fields from `fresh` wherever no editor has changed them; return the
    new snapshot. The one rule of every import, for videos, chapters and lessons alike.

    `imported` is the snapshot of the last import, None for an object this import makes.
    A field still holding its imported value is refreshed and one an editor changed is
    kept; a field no earlier import filled is filled only while it is empty.
    """
    snapshot = {}
    for f in fields:
        current = f.snap(getattr(obj, f.attr))
        if imported is None:
            untouched = True
        elif f.name in imported:
            untouched = current == imported[f.name]
        else:
            untouched = current in EMPTY
        if untouched:
            setattr(obj, f.attr, fresh[f.attr])
        snapshot[f.name] = f.snap(fresh[f.attr])
    return snapshot


# What a dry run or the admin's preview says in place of each done verb.
PLANNED = {"imported": "would import", "updated": "would update", "attached": "would attach"}


@dataclass
class Outcome:
    action: str  # imported, updated, attached, unchanged
    video: Video
    counts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Doubts an editor should confirm, printed as `warning:` lines.
    warnings: list[str] = field(default_factory=list)

    @property
    def wrote(self) -> bool:
        return not self.dry_run and self.action != "unchanged"

    def summary_line(self) -> str:
        verb = self.action
        if self.dry_run and verb in PLANNED:
            verb = PLANNED[verb]  # a preview says what the import will do
        parts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        line = f"{verb} {self.video.slug}" + (f": {parts}" if parts else "")
        return line + "".join(f"; {note}" for note in self.notes)


def _retrying(write):
    """Run `write` in a transaction; if another import of the same new video committed
    first (two confirms, two processes), the constraint refuses ours: look again, once.
    What the import made stale (kb.importers.derived) is refreshed once, at its end."""
    for attempt in (1, 2):
        try:
            with transaction.atomic(), deferred():
                return write()
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
