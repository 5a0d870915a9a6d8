"""Anki decks (.apkg) of published takeaways, built with genanki.

One note per takeaway. Its front is the takeaway; its back the lesson's title, the
lesson's best quote and who said it, and the moment link. Notes, the deck and the note
type have ids derived from what they are (a takeaway's id, a deck's kind and slug), so
downloading a deck again updates the cards already in Anki instead of adding copies.
Every field is HTML to Anki: all text is escaped here.
"""

import hashlib
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

import genanki
from django.utils.html import escape, format_html

from kb.models import Lesson
from kb.timecodes import format_timecode

CSS = """.card { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.5;
  color: #1f2328; background: #fff; text-align: left; max-width: 38em; margin: auto; }
.lesson { font-weight: 600; } blockquote { margin: 0.8em 0; padding-left: 0.8em;
  border-left: 3px solid #0b6bcb; } .who, .moment { color: #57606a; font-size: 0.85em; }
.moment a { color: #0b6bcb; }"""


def stable_id(*parts) -> int:
    """A positive 31-bit id for what `parts` name, the same on every machine and day."""
    digest = hashlib.sha256("|".join(map(str, ("career-lessons", *parts))).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 or 1


MODEL = genanki.Model(
    stable_id("model", "takeaway", 1),
    "Career lesson takeaway",
    fields=[
        {"name": "Takeaway"},
        {"name": "Lesson"},
        {"name": "Quote"},
        {"name": "Said by"},
        {"name": "Moment"},
    ],
    templates=[
        {
            "name": "Takeaway → lesson",
            "qfmt": "{{Takeaway}}",
            "afmt": '{{FrontSide}}<hr id="answer"><p class="lesson">{{Lesson}}</p>'
            "{{#Quote}}<blockquote>{{Quote}}</blockquote>{{/Quote}}"
            '<p class="who">{{Said by}}</p><p class="moment">{{Moment}}</p>',
        }
    ],
    css=CSS,
)


def notes(lesson: Lesson, site: str) -> list[genanki.Note]:
    quote = lesson.published_quotes[0] if lesson.published_quotes else None
    who = quote.said_by if quote and quote.said_by else ", ".join(p.name for p in lesson.speakers)
    tags = [theme.slug for theme in lesson.themes]
    built = []
    for takeaway in lesson.takeaways.all():
        seconds = takeaway.start_seconds
        if seconds is None:
            seconds = quote.start_seconds if quote else lesson.start_seconds
        built.append(
            genanki.Note(
                model=MODEL,
                fields=[
                    escape(takeaway.text),
                    format_html(
                        '<a href="{}{}">{}</a>', site, lesson.get_absolute_url(), lesson.title
                    ),
                    escape(quote.text) if quote else "",
                    escape(f"{who} · {lesson.video.title}" if who else lesson.video.title),
                    moment_link(lesson, seconds, site),
                ],
                guid=genanki.guid_for("career-lessons", "takeaway", takeaway.pk),
                tags=tags,
            )
        )
    return built


def moment_link(lesson: Lesson, seconds: float | None, site: str) -> str:
    if seconds is None:
        return ""
    url = lesson.video.moment_url(seconds, site)
    return format_html('<a href="{}">▶ {}</a>', url, format_timecode(seconds))


def deck_bytes(kind: str, slug: str, title: str, lessons, site: str) -> bytes:
    """The .apkg of `lessons` (published ones) as one deck named after `title`."""
    deck = genanki.Deck(stable_id("deck", kind, slug), f"Career lessons::{title}")
    for lesson in lessons.for_notes():
        for note in notes(lesson, site):
            deck.add_note(note)
    return package(deck)


def package(deck: genanki.Deck) -> bytes:
    """genanki's `Package.write_to_file`, into memory and without leaving its temporary
    database behind (that method never deletes it)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            now = time.time()
            ids = itertools.count(int(now * 1000))
            genanki.Package(deck).write_to_db(connection.cursor(), now, ids)
            connection.commit()
        finally:
            connection.close()
        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as apkg:
            apkg.write(path, "collection.anki2")
            apkg.writestr("media", json.dumps({}))
        return out.getvalue()
