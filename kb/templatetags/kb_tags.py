"""Moment links and times, the same on every page; escaping for Markdown exports."""

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kb import markdown
from kb.text import as_passage, voices_line
from kb.timecodes import format_timecode

register = template.Library()


@register.filter
def passage(text):
    """A machine-cut passage as a reader should see it (kb.text.as_passage)."""
    return as_passage(text or "")


@register.filter
def whole_seconds(seconds):
    """The second a moment falls in: what the transcript's `#t-<second>` anchors name."""
    return "" if seconds is None or seconds == "" else int(float(seconds))


@register.filter
def timecode(seconds):
    """`52:45` / `1:12:02`; empty for an unknown moment."""
    if seconds is None or seconds == "":
        return ""
    return format_timecode(float(seconds))


# Who says an insight: kb.text.voices_line, the same line its share card shows.
register.simple_tag(voices_line)


@register.simple_tag
def moment(video, seconds, say=False, from_lesson=None, exact=False):
    """A compact "▶ 52:45" link to the moment (≈ before an estimated time).

    `say` puts what the link does before the time: "watch at" on YouTube, "read it in the
    transcript at" where the video has no YouTube id (there it plays nothing). A link to
    the transcript from a lesson (`from_lesson`) says so, and the transcript offers the
    way back. `exact`: the time is known even where the transcript's are estimated (a
    chapter's start, which the page states). Built here rather than in an included
    template: search pages show dozens.
    """
    if seconds is None:
        return ""
    estimate = not (exact or video.transcript_exact)
    time = format_timecode(seconds)
    url = video.moment_url(seconds)
    if video.youtube_id:
        verb, where = "watch at", "on YouTube"
    else:
        verb, where = "read it in the transcript at", "in the transcript"
        if from_lesson is not None:
            path, anchor = url.split("#", 1)
            url = f"{path}?{urlencode({'from': from_lesson.slug})}#{anchor}"
    label = verb if say else ""
    aria = f"{label.capitalize() or 'Moment'} {'about ' if estimate else ''}{time}"
    if not say or video.youtube_id:
        aria += f" {where}"
    return format_html(
        '<a class="moment{}" href="{}" aria-label="{}"{}>'
        '<span class="play" aria-hidden="true">▶</span>{} {}{}</a>',
        " estimate" if estimate else "",
        url,
        aria,
        mark_safe(' title="Estimated from the transcript\'s position"') if estimate else "",
        f" {label}" if label else "",
        "≈" if estimate else "",
        time,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This page's URL with its filters kept and `page` set to `number`."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag
def moment_url(video, seconds, site=""):
    """The moment's address; absolute (with `site`) when it is on this site."""
    return video.moment_url(seconds, site)


@register.simple_tag
def clip_url(video, start, end=None):
    """The embedded player from `start` to `end` (Video.embed_url)."""
    return video.embed_url(float(start), float(end) if end not in (None, "") else None)


@register.filter
def md(text):
    """Imported text as one line of literal Markdown (kb.markdown.inline)."""
    return markdown.inline(text)


@register.filter
def md_lines(text):
    """A lesson body as Markdown, its list lines kept (kb.markdown.body_lines)."""
    return markdown.body_lines(text)
