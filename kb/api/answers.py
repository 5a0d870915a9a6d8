"""Whole answers, read and built: what an API endpoint returns and what an MCP tool
answers an assistant are the same functions, so the two never disagree. Each takes
`absolute` (a site path to an absolute URL): the request's host for the API, the
configured site for MCP. `queries.Unknown` when a slug names nothing readers see."""

from kb import reads
from kb import search as kb_search
from kb.api import queries
from kb.api import schemas as out
from kb.models import Person, Theme

GUESTS = 12
LESSONS_EACH = 5


def lesson_detail(slug: str, absolute) -> out.LessonDetail:
    lesson = queries.lessons().filter(slug=slug).first()
    if lesson is None:
        raise queries.Unknown(f"no lesson {slug!r}")
    said = queries.quotes().filter(lesson=lesson).order_by("start_seconds", "pk")
    return out.LessonDetail(
        **out.lesson_out(lesson, absolute).model_dump(),
        quotes=[out.quote_out(q, absolute) for q in said],
    )


def search(
    text: str,
    absolute,
    *,
    theme: Theme | None = None,
    person: Person | None = None,
    speaker: Person | None = None,
    video=None,
    first: int = 0,
    count: int = 10,
) -> out.SearchOut:
    """The site's search (kb.search): lessons `first` to `first + count` of the ranking,
    then its quotes, moments, videos and people, each on its moment."""
    results = kb_search.search(text, theme=theme, person=person, speaker=speaker, video=video)
    hits = results.lessons[first : first + count] if results.lessons else []
    full = queries.lessons().in_bulk([hit.lesson.pk for hit in hits])
    quotes = queries.quotes().in_bulk([hit.quote.pk for hit in results.quotes])
    return out.SearchOut(
        query=results.query,
        lessons=[
            out.LessonHitOut(
                lesson=out.lesson_out(full[hit.lesson.pk], absolute),
                snippet=out.plain(hit.snippet),
                snippet_html=str(hit.snippet),
                similar=hit.similar,
            )
            for hit in hits
            if hit.lesson.pk in full
        ],
        lesson_count=len(results.lessons),
        quotes=[
            out.QuoteHitOut(
                quote=out.quote_out(quotes[hit.quote.pk], absolute), similar=hit.similar
            )
            for hit in results.quotes
            if hit.quote.pk in quotes
        ],
        moments=[
            out.MomentOut(
                video=out.video_ref(m.video, absolute),
                chapter=m.chapter.title if m.chapter else None,
                start_seconds=m.start_seconds,
                time=out.format_timecode(m.start_seconds),
                moment_url=absolute(m.video.moment_url(m.start_seconds)),
                snippet=out.plain(m.snippet),
                snippet_html=str(m.snippet),
                similar=m.similar,
            )
            for m in results.moments
        ],
        videos=[out.video_ref(v, absolute) for v in results.videos],
        people=[out.person_ref(p, absolute) for p in results.people],
        by_meaning_only=results.by_meaning_only,
        next=None,
    )


def guests_on(theme: Theme, absolute) -> out.GuestsOut:
    """What each guest says on a theme, the most prolific first (as the theme page
    ranks them): up to LESSONS_EACH of their lessons, strongest first, on their moments, and the
    insights several guests share, with their evidence. A fixed number of queries."""
    guests = reads.voices_on(theme, GUESTS, queries.lessons())
    insights = list(queries.insights().filter(themes=theme)[:GUESTS])
    voices = queries.evidence_of(insights)
    return out.GuestsOut(
        theme=out.theme_ref(theme, absolute),
        guests=[
            out.GuestOut(
                person=out.person_ref(voice.person, absolute),
                lesson_count=voice.count,
                lessons=[out.lesson_out(one, absolute) for one in voice.lessons[:LESSONS_EACH]],
            )
            for voice in guests
        ],
        insights=[
            out.InsightDetail(
                **out.insight_out(insight, absolute).model_dump(),
                evidence=[out.evidence_out(v, absolute) for v in voices.get(insight.pk, [])],
            )
            for insight in insights
        ],
    )
