"""Moment links and times, the same on every page."""

from django import template

from kb.timecodes import format_timecode

register = template.Library()


@register.filter
def timecode(seconds):
    """`52:45` / `1:12:02`; empty for an unknown moment."""
    if seconds is None or seconds == "":
        return ""
    return format_timecode(float(seconds))


@register.inclusion_tag("kb/_moment.html")
def moment(video, seconds, label=""):
    """A compact "▶ 52:45" link to the moment (≈ before an estimated time).

    `label` adds words before the time, e.g. "watch at".
    """
    if seconds is None:
        return {"url": ""}
    estimate = not video.transcript_exact
    time = format_timecode(seconds)
    where = "on YouTube" if video.youtube_id else "in the transcript"
    return {
        "url": video.moment_url(seconds),
        "time": time,
        "estimate": estimate,
        "label": label,
        "external": bool(video.youtube_id),
        "aria": f"{label or 'Moment'} {'about ' if estimate else ''}{time} {where}".strip(),
    }


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This page's URL with its filters kept and `page` set to `number`."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
