"""The published knowledge base as a folder of Markdown notes (an Obsidian vault).

    Lessons/<slug>.md   front matter (title, themes, people, video, moment, url), the body,
                        takeaways and quotes, each with its moment link
    People/<slug>.md    who they are and their lessons
    Themes/<slug>.md    the theme and its lessons
    Videos/<slug>.md    the video and its lessons
    Career lessons.md   an index

Notes link to one another with wiki-links by path (`[[People/ada-lovelace|Ada Lovelace]]`),
so two lessons with one title stay two notes. Text goes through kb.markdown's escapes, so
nothing imported becomes a link or markup; a link's label loses the characters that would
end it and is escaped like the rest.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kb.markdown import SPECIAL, body_lines, front_value, inline
from kb.models import Lesson
from kb.timecodes import format_timecode

FOLDERS = ("Lessons", "People", "Themes", "Videos")
INDEX = "Career lessons.md"
MARKER = ".career-lessons-export"  # a folder holding it is ours to rewrite
UNSAFE_LABEL = re.compile(r"[\[\]|#^\n]")


def link(folder: str, slug: str, label: str) -> str:
    """A wiki-link whose label is text: a title's `<script>` shows as written, never runs."""
    label = SPECIAL.sub(r"\\\1", UNSAFE_LABEL.sub(" ", " ".join(label.split())))
    return f"[[{folder}/{slug}|{label}]]"


def front_matter(values: dict) -> list[str]:
    lines = ["---"]
    for key, value in values.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(front_value(v) for v in value)}]")
        elif value not in ("", None):
            lines.append(f"{key}: {front_value(value)}")
    return [*lines, "---", ""]


def moment(video, seconds, site: str) -> str:
    """`[▶ 52:45](<url>)`, the moment as a Markdown link."""
    if seconds is None:
        return ""
    return f"[▶ {format_timecode(seconds)}](<{video.moment_url(seconds, site)}>)"


def published_lessons():
    return Lesson.objects.published().for_notes()


def lesson_note(lesson: Lesson, site: str) -> str:
    video = lesson.video
    lines = front_matter(
        {
            "title": lesson.title,
            "aliases": [lesson.title],
            "tags": [theme.slug for theme in lesson.themes],
            "themes": [theme.name for theme in lesson.themes],
            "people": [person.name for person in lesson.speakers],
            "video": video.title,
            "moment": video.moment_url(lesson.start_seconds, site)
            if lesson.start_seconds is not None
            else "",
            "url": site + lesson.get_absolute_url(),
        }
    )
    lines.append(f"# {inline(lesson.title)}")
    said_by = ", ".join(link("People", p.slug, p.name) for p in lesson.speakers)
    where = f"{said_by} in " if said_by else "From "
    where += (
        f"{link('Videos', video.slug, video.title)} {moment(video, lesson.start_seconds, site)}"
    )
    lines += ["", where.rstrip()]
    if lesson.themes:
        lines += ["", "Themes: " + ", ".join(link("Themes", t.slug, t.name) for t in lesson.themes)]
    if lesson.body.strip():
        lines += ["", body_lines(lesson.body.strip())]
    takeaways = lesson.takeaways.all()
    if takeaways:
        lines += ["", "## Takeaways", ""]
        lines += [
            f"- {inline(t.text)} {moment(video, t.start_seconds, site)}".rstrip() for t in takeaways
        ]
    if lesson.published_quotes:
        lines += ["", "## In their words"]
        for quote in lesson.published_quotes:
            who = f" — {inline(quote.said_by)}" if quote.said_by else ""
            lines += [
                "",
                f"> {inline(quote.text)}",
                f"> {moment(video, quote.start_seconds, site)}{who}",
            ]
    return "\n".join(lines) + "\n"


@dataclass
class Hub:
    """A person, theme or video note: what it is, and the lessons that link to it."""

    folder: str
    slug: str
    title: str
    about: str = ""
    url: str = ""
    lessons: list = field(default_factory=list)

    def note(self) -> str:
        lines = front_matter({"title": self.title, "aliases": [self.title], "url": self.url})
        lines.append(f"# {inline(self.title)}")
        if self.about:
            lines += ["", inline(self.about)]
        lines += ["", "## Lessons", ""]
        lines += [f"- {link('Lessons', lesson.slug, lesson.title)}" for lesson in self.lessons]
        return "\n".join(lines) + "\n"


def vault(site: str) -> dict[str, str]:
    """Every note of the published knowledge base: path inside the vault → text."""
    notes: dict[str, str] = {}
    hubs: dict[tuple[str, str], Hub] = {}

    def hub(folder, thing, title, about=""):
        key = (folder, thing.slug)
        if key not in hubs:
            hubs[key] = Hub(folder, thing.slug, title, about, site + thing.get_absolute_url())
        return hubs[key]

    for lesson in published_lessons():
        notes[f"Lessons/{lesson.slug}.md"] = lesson_note(lesson, site)
        hub("Videos", lesson.video, lesson.video.title, lesson.video.channel).lessons.append(lesson)
        for theme in lesson.themes:
            hub("Themes", theme, theme.name, theme.description).lessons.append(lesson)
        for person in lesson.speakers:
            hub("People", person, person.name, person.bio).lessons.append(lesson)
    by_folder = defaultdict(list)
    for (folder, slug), one in sorted(hubs.items()):
        notes[f"{folder}/{slug}.md"] = one.note()
        by_folder[folder].append(one)
    index = ["# Career lessons", "", f"Exported from {site}."]
    for folder in ("Themes", "People", "Videos"):
        index += ["", f"## {folder}", ""]
        index += [f"- {link(folder, one.slug, one.title)}" for one in by_folder[folder]]
    notes[INDEX] = "\n".join(index) + "\n"
    return notes


class NotOurs(Exception):
    """The folder holds files that no export of ours wrote."""


def write(folder: Path, notes: dict[str, str]) -> None:
    """Write `notes` into `folder`: an empty or new folder, or one an earlier export
    wrote (its notes are replaced; notes of lessons since unpublished are removed).
    Anything else is refused, so no one's own notes are overwritten."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()) and not (folder / MARKER).exists():
        raise NotOurs(
            f"{folder} already holds files that no export wrote; give an empty or new folder"
        )
    (folder / MARKER).write_text("Written by manage.py export_markdown; rewritten by the next.\n")
    for sub in FOLDERS:
        for old in (folder / sub).glob("*.md"):
            if f"{sub}/{old.name}" not in notes:
                old.unlink()
    for path, text in notes.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
