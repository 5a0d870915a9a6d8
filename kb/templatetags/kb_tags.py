"""Moment links and times, the same on every page; escaping for Markdown exports."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kb import markdown
from kb.timecodes import format_timecode

register = template.Library()


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


@register.simple_tag
def moment(video, seconds, label="", exact=False):
    """A compact "▶ 52:45" link to the moment (≈ before an estimated time).

    `label` adds words before the time, e.g. "watch at". `exact`: the time is known even
    where the transcript's are estimated (a chapter's start, which the page states).
    Built here rather than in an included template: search pages show dozens of these.
    """
    if seconds is None:
        return ""
    estimate = not (exact or video.transcript_exact)
    time = format_timecode(seconds)
    where = "on YouTube" if video.youtube_id else "in the transcript"
    aria = f"{label or 'Moment'} {'about ' if estimate else ''}{time} {where}".strip()
    return format_html(
        '<a class="moment{}" href="{}" aria-label="{}"{}>'
        '<span class="play" aria-hidden="true">▶</span>{} {}{}</a>',
        " estimate" if estimate else "",
        video.moment_url(seconds),
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
