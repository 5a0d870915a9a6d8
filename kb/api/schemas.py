"""What the API and the MCP tools answer with: pydantic schemas (django-ninja's), and
the one place each is built from a model, so both speak with the same fields.

Every item carries its page's absolute `url`; anything said at a moment carries
`start_seconds`, `time` (52:45) and `moment_url`, the same link the site gives. Builders
read only what the caller loaded (`select_related`/prefetches in kb.api.queries): they
never query.
"""

import datetime
import html
import re
from collections.abc import Callable

from ninja import Schema

from kb.models import Chapter, Evidence, Insight, Lesson, Person, Quote, Takeaway, Theme, Video
from kb.timecodes import format_timecode

Absolute = Callable[[str], str]  # a site path -> an absolute URL


class ThemeRef(Schema):
    slug: str
    name: str
    url: str


class PersonRef(Schema):
    slug: str
    name: str
    url: str


class VideoRef(Schema):
    slug: str
    title: str
    url: str
    youtube_url: str | None


class LessonRef(Schema):
    slug: str
    title: str
    url: str
    start_seconds: float | None
    time: str | None
    moment_url: str | None


class TakeawayOut(Schema):
    text: str
    start_seconds: float | None
    time: str | None
    moment_url: str | None


class LessonOut(LessonRef):
    body: str
    video: VideoRef
    chapter: str | None
    themes: list[ThemeRef]
    people: list[PersonRef]
    takeaways: list[TakeawayOut]


class QuoteOut(Schema):
    id: int
    text: str
    speaker: PersonRef | None
    said_by: str
    video: VideoRef
    chapter: str | None
    lesson: LessonRef | None
    start_seconds: float
    end_seconds: float
    time: str
    moment_url: str
    url: str
    themes: list[ThemeRef]


class LessonDetail(LessonOut):
    quotes: list[QuoteOut]


class ChapterOut(Schema):
    title: str
    start_seconds: int
    time: str
    moment_url: str


class CreditOut(Schema):
    person: PersonRef
    role: str


class VideoOut(VideoRef):
    channel: str
    lesson_count: int
    quote_count: int
    published_on: datetime.date | None
    duration_seconds: int
    youtube_id: str | None
    transcript_exact: bool
    people: list[CreditOut]


class VideoDetail(VideoOut):
    headline: str
    chapters: list[ChapterOut]
    lessons: list[LessonRef]


class ThemeOut(ThemeRef):
    description: str
    lesson_count: int
    quote_count: int


class PersonOut(PersonRef):
    bio: str
    link: str
    video_count: int
    lesson_count: int
    quote_count: int


class PersonVideo(Schema):
    video: VideoRef
    role: str


class ThemeCount(ThemeRef):
    lessons: int


class InsightRef(Schema):
    slug: str
    title: str
    url: str


class PersonDetail(PersonOut):
    videos: list[PersonVideo]
    themes: list[ThemeCount]
    lessons: list[LessonOut]
    lessons_url: str
    quotes: list[QuoteOut]
    quotes_url: str
    insights: list[InsightRef]


class InsightOut(InsightRef):
    summary: str
    themes: list[ThemeRef]
    voice_count: int
    video_count: int


class WordsOut(Schema):
    """The words a voice said, and the span to play: start to end."""

    id: int
    text: str
    said_by: str
    speaker: PersonRef | None
    start_seconds: float
    end_seconds: float
    time: str
    moment_url: str


class EvidenceOut(Schema):
    stance: str
    note: str
    video: VideoRef
    people: list[PersonRef]
    lesson: LessonRef | None
    words: WordsOut | None
    start_seconds: float | None
    time: str | None
    moment_url: str | None


class InsightDetail(InsightOut):
    evidence: list[EvidenceOut]


class GuestOut(Schema):
    person: PersonRef
    lesson_count: int
    lessons: list[LessonOut]


class GuestsOut(Schema):
    """What each guest says on a theme, and the insights several of them share."""

    theme: ThemeRef
    guests: list[GuestOut]
    insights: list[InsightDetail]


class LessonHitOut(Schema):
    lesson: LessonOut
    snippet: str
    snippet_html: str
    similar: bool


class QuoteHitOut(Schema):
    quote: QuoteOut
    similar: bool


class MomentOut(Schema):
    video: VideoRef
    chapter: str | None
    start_seconds: float
    time: str
    moment_url: str
    snippet: str
    snippet_html: str
    similar: bool


class SearchOut(Schema):
    query: str
    lessons: list[LessonHitOut]
    lesson_count: int
    quotes: list[QuoteHitOut]
    moments: list[MomentOut]
    videos: list[VideoRef]
    people: list[PersonRef]
    by_meaning_only: bool
    next: str | None


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    """A parameter that is not of its type: each fault with where it is (`loc`) and why."""

    detail: list[dict]


def _moment(video: Video, seconds: float | None, absolute: Absolute) -> dict:
    if seconds is None:
        return {"start_seconds": None, "time": None, "moment_url": None}
    return {
        "start_seconds": seconds,
        "time": format_timecode(seconds),
        "moment_url": absolute(video.moment_url(seconds)),
    }


def theme_ref(theme: Theme, absolute: Absolute) -> ThemeRef:
    return ThemeRef(slug=theme.slug, name=theme.name, url=absolute(theme.get_absolute_url()))


def person_ref(person: Person, absolute: Absolute) -> PersonRef:
    return PersonRef(slug=person.slug, name=person.name, url=absolute(person.get_absolute_url()))


def video_ref(video: Video, absolute: Absolute) -> VideoRef:
    return VideoRef(
        slug=video.slug,
        title=video.title,
        url=absolute(video.get_absolute_url()),
        youtube_url=video.youtube_url or None,
    )


def lesson_ref(lesson: Lesson, absolute: Absolute, video: Video | None = None) -> LessonRef:
    """`video`: the lesson's, when the caller has it loaded already (a quote's)."""
    return LessonRef(
        slug=lesson.slug,
        title=lesson.title,
        url=absolute(lesson.get_absolute_url()),
        **_moment(video or lesson.video, lesson.start_seconds, absolute),
    )


def takeaway_out(takeaway: Takeaway, video: Video, absolute: Absolute) -> TakeawayOut:
    return TakeawayOut(text=takeaway.text, **_moment(video, takeaway.start_seconds, absolute))


def lesson_out(lesson: Lesson, absolute: Absolute) -> LessonOut:
    """`lesson` from `queries.lessons()`: video, chapter, themes, people, takeaways loaded."""
    return LessonOut(
        **lesson_ref(lesson, absolute).model_dump(),
        body=lesson.body,
        video=video_ref(lesson.video, absolute),
        chapter=_chapter_title(lesson.chapter),
        themes=[theme_ref(t, absolute) for t in lesson.themes],
        people=[person_ref(p, absolute) for p in lesson.speakers],
        takeaways=[takeaway_out(t, lesson.video, absolute) for t in lesson.takeaways.all()],
    )


def quote_out(quote: Quote, absolute: Absolute) -> QuoteOut:
    """`quote` from `queries.quotes()`: video, chapter, lesson, speaker, themes loaded."""
    return QuoteOut(
        id=quote.pk,
        text=quote.text,
        speaker=person_ref(quote.speaker, absolute) if quote.speaker_id else None,
        said_by=quote.said_by,
        video=video_ref(quote.video, absolute),
        chapter=_chapter_title(quote.chapter),
        lesson=lesson_ref(quote.lesson, absolute, quote.video) if quote.lesson_id else None,
        start_seconds=quote.start_seconds,
        end_seconds=quote.end_seconds,
        time=format_timecode(quote.start_seconds),
        moment_url=absolute(quote.video.moment_url(quote.start_seconds)),
        url=absolute(quote.get_absolute_url()),
        themes=[theme_ref(t, absolute) for t in quote.themes],
    )


def _chapter_title(chapter: Chapter | None) -> str | None:
    return chapter.title if chapter is not None else None


def video_out(video: Video, absolute: Absolute) -> VideoOut:
    """`video` with `with_counts()` and `credits` prefetched (people and their roles)."""
    return VideoOut(
        **video_ref(video, absolute).model_dump(),
        channel=video.channel,
        lesson_count=video.lesson_count,
        quote_count=video.quote_count,
        published_on=video.published_on,
        duration_seconds=video.duration_seconds,
        youtube_id=video.youtube_id or None,
        transcript_exact=video.transcript_exact,
        people=[
            CreditOut(person=person_ref(c.person, absolute), role=c.role)
            for c in video.credits.all()
        ],
    )


def chapter_out(chapter: Chapter, video: Video, absolute: Absolute) -> ChapterOut:
    return ChapterOut(
        title=chapter.title,
        start_seconds=chapter.start_seconds,
        time=format_timecode(chapter.start_seconds),
        moment_url=absolute(video.moment_url(chapter.start_seconds)),
    )


def theme_out(theme: Theme, absolute: Absolute) -> ThemeOut:
    """`theme` with its counts (`kb.kept.themes_in_use`)."""
    return ThemeOut(
        **theme_ref(theme, absolute).model_dump(),
        description=theme.description,
        lesson_count=theme.lesson_count,
        quote_count=theme.quote_count,
    )


def person_out(person: Person, absolute: Absolute) -> PersonOut:
    """`person` with `with_counts()`."""
    return PersonOut(
        **person_ref(person, absolute).model_dump(),
        bio=person.bio,
        link=person.link,
        video_count=person.video_count,
        lesson_count=person.lesson_count,
        quote_count=person.quote_count,
    )


def insight_ref(insight: Insight, absolute: Absolute) -> InsightRef:
    return InsightRef(
        slug=insight.slug, title=insight.title, url=absolute(insight.get_absolute_url())
    )


def insight_out(insight: Insight, absolute: Absolute) -> InsightOut:
    """`insight` with `with_counts()` and its themes prefetched."""
    return InsightOut(
        **insight_ref(insight, absolute).model_dump(),
        summary=insight.summary,
        themes=[theme_ref(t, absolute) for t in insight.themes.all()],
        voice_count=insight.voice_count,
        video_count=insight.video_count,
    )


def evidence_out(voice: Evidence, absolute: Absolute) -> EvidenceOut:
    """`voice` from `Evidence.objects.for_page()`."""
    said = voice.shown_quote
    return EvidenceOut(
        stance=voice.stance,
        note=voice.note,
        video=video_ref(voice.video, absolute),
        people=[person_ref(p, absolute) for p in voice.people],
        lesson=lesson_ref(voice.lesson, absolute) if voice.lesson_id else None,
        words=words_out(said, voice.video, absolute) if said is not None else None,
        **_moment(voice.video, voice.start_seconds, absolute),
    )


def words_out(quote: Quote, video: Video, absolute: Absolute) -> WordsOut:
    return WordsOut(
        id=quote.pk,
        text=quote.text,
        said_by=quote.said_by,
        speaker=person_ref(quote.speaker, absolute) if quote.speaker_id else None,
        start_seconds=quote.start_seconds,
        end_seconds=quote.end_seconds,
        time=format_timecode(quote.start_seconds),
        moment_url=absolute(video.moment_url(quote.start_seconds)),
    )


MARK = re.compile(r"</?mark>")


def plain(snippet_html: str) -> str:
    """A search snippet's text without its marks (the HTML form keeps them, escaped)."""
    return html.unescape(MARK.sub("", str(snippet_html)))
