"""A video's lessons as Markdown (`/videos/<slug>.md`), in the shape `import_video
FILE.md` reads back (kb.importers.markdown):

    ---
    title: "Growing Fast: A Story"
    youtube: GrowFast123
    ...
    ---

    ## Lesson title [52:45]

    Its body.

    - A takeaway [53:10]
    > Words said [1:02:03–1:02:20] — Speaker

Text is written with Markdown's backslash escapes, so that nothing an import or an editor
wrote becomes markup (a heading, a list, a link, HTML) in a Markdown reader, and the
import reads back exactly the same text.
"""

import json
import re

from kb.timecodes import format_timecode

# What Markdown reads as markup inside a line: links and images ([]), emphasis, code,
# raw HTML and autolinks (<>), entities (&), headings, tables, strikethrough.
SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&])")
# What makes a line a list item or a setext heading at its start.
LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
SPAN_DASH = "–"
SPEAKER_DASH = " — "


def inline(text: str) -> str:
    """Text as one line of literal Markdown: `[x](javascript:…)` or `<img …>` show as the
    characters they are, never as a link or markup."""
    return SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def body_lines(text: str) -> str:
    """A lesson body for reading: each line escaped like `inline`, its `- ` and `1. `
    list lines and its blank lines kept."""
    return "\n".join(SPECIAL.sub(r"\\\1", line) for line in str(text).splitlines())


def literal_line(text: str) -> str:
    """One line that must read back as the same text, not as a list item: `inline`'s
    escapes, and a leading `-`, `+` or `1.` escaped too."""
    return LINE_START.sub(r"\1\\\2", SPECIAL.sub(r"\\\1", text))


def unescape(text: str) -> str:
    return ESCAPED.sub(r"\1", text)


def front_value(value) -> str:
    """A front-matter value: a JSON string is also a YAML double-quoted one."""
    return json.dumps(str(value), ensure_ascii=False)


def _at(seconds) -> str:
    return f" [{format_timecode(seconds)}]" if seconds is not None else ""


def video_markdown(video, lessons, site_url: str) -> str:
    """`lessons`: the published ones, each with its `published_quotes` and its
    `takeaways` prefetched (the view chooses them)."""
    front = {
        "title": video.title,
        "video": video.slug,
        "youtube": video.youtube_id,
        "channel": video.channel,
        "published": video.published_on.isoformat() if video.published_on else "",
        "duration": format_timecode(video.duration_seconds),
        "url": site_url,
    }
    lines = ["---"]
    lines += [f"{key}: {front_value(value)}" for key, value in front.items() if value]
    lines += ["---", "", f"# {inline(video.title)}"]
    for lesson in lessons:
        lines += ["", f"## {inline(lesson.title)}{_at(lesson.start_seconds)}"]
        body = [literal_line(line.rstrip()) for line in lesson.body.strip().splitlines()]
        if body:
            lines += ["", *body]
        items = [f"- {inline(t.text)}{_at(t.start_seconds)}" for t in lesson.takeaways.all()]
        items += [
            f"> {inline(q.text)} [{format_timecode(q.start_seconds)}{SPAN_DASH}"
            f"{format_timecode(q.end_seconds)}]"
            + (f"{SPEAKER_DASH}{inline(q.said_by)}" if q.said_by else "")
            for q in lesson.published_quotes
        ]
        if items:
            lines += ["", *items]
    return "\n".join(lines) + "\n"
