"""The video timeline picture: chapters as a bar scaled to the video, markers at moments.

Positions are computed here, in percent of the video's length, so the template only
draws them.
"""

from dataclasses import dataclass

from kb.timecodes import format_timecode


@dataclass
class Mark:
    x: float  # percent of the video, 0-100
    width: float
    title: str
    url: str
    kind: str  # chapter, lesson, quote


def _percent(seconds: float, duration: int) -> float:
    return round(min(max(seconds / duration, 0.0), 1.0) * 100, 3) if duration else 0.0


def build_timeline(video, chapters, lessons, quotes) -> list[Mark]:
    duration = video.duration_seconds
    marks = []
    for n, chapter in enumerate(chapters):
        end = chapters[n + 1].start_seconds if n + 1 < len(chapters) else duration
        x = _percent(chapter.start_seconds, duration)
        marks.append(
            Mark(
                x,
                max(_percent(end, duration) - x, 0.0),
                f"{format_timecode(chapter.start_seconds)} {chapter.title}",
                video.moment_url(chapter.start_seconds),
                "chapter",
            )
        )
    for lesson in lessons:
        if lesson.start_seconds is not None:
            marks.append(
                Mark(
                    _percent(lesson.start_seconds, duration),
                    0.0,
                    f"{format_timecode(lesson.start_seconds)} Lesson: {lesson.title}",
                    lesson.get_absolute_url(),
                    "lesson",
                )
            )
    for quote in quotes:
        marks.append(
            Mark(
                _percent(quote.start_seconds, duration),
                0.0,
                f"{format_timecode(quote.start_seconds)} Quote: {quote.text[:80]}",
                f"#quote-{quote.pk}",
                "quote",
            )
        )
    return marks
