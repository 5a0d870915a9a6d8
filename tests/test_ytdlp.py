"""yt-dlp's info.json read as a video (issue 18, first part: the reader; not yet an
import kind)."""

import datetime
import json

import pytest

from kb.importers.documents import DocumentError
from kb.importers.ytdlp import description_chapters, looks_like_info, parse_info

DESCRIPTION = """How I went from support to engineering manager.

Chapters:
0:00 Intro
3:12 – Working the support desk
(11:40) Learning to code at night
1:04:45 | Manager or IC?

Links: https://example.org 2024
"""


def info(**fields):
    """An info.json shaped like yt-dlp's: the fields we read among many we ignore."""
    data = {
        "id": "dQw4w9WgXcQ", "title": "From Support Desk  to Manager", "fulltitle": "x",
        "channel": "Builders & Breakers", "uploader": "someone else", "upload_date": "20240917",
        "duration": 4800, "duration_string": "1:20:00", "description": DESCRIPTION,
        "language": "en", "extractor": "youtube", "extractor_key": "Youtube",
        "formats": [{"format_id": "18", "ext": "mp4"}], "thumbnails": [], "tags": ["career"],
        "view_count": 1234, "like_count": 56, "automatic_captions": {"en": []},
        "chapters": None, "_type": "video", "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    }  # fmt: skip
    data.update(fields)
    return json.dumps(data)


def test_an_info_json_gives_the_video_and_its_chapters_from_the_description():
    video = parse_info(info())
    assert (video.youtube_id, video.title, video.channel) == (
        "dQw4w9WgXcQ", "From Support Desk to Manager", "Builders & Breakers",
    )  # fmt: skip
    assert video.published_on == datetime.date(2024, 9, 17) and video.duration_seconds == 4800
    assert video.chapters == [
        (0, "Intro"), (192, "Working the support desk"), (700, "Learning to code at night"),
        (3885, "Manager or IC?"),
    ]  # fmt: skip
    assert video.chapter_note == ""
    assert looks_like_info(info())


def test_the_chapter_list_wins_over_the_description():
    chapters = [
        {"start_time": 0.0, "end_time": 60.0, "title": "Welcome"},
        {"start_time": 60.0, "end_time": 4800.0, "title": "The rest"},
    ]
    assert parse_info(info(chapters=chapters)).chapters == [(0, "Welcome"), (60, "The rest")]


def test_the_uploader_names_the_channel_when_there_is_no_channel():
    assert parse_info(info(channel=None)).channel == "someone else"


@pytest.mark.parametrize(
    "description, why",
    [
        ("No times here at all.", "neither a chapter list nor timestamps"),
        ("1:00 Late start\n2:00 Next", "start at 1:00, not 0:00"),
        ("0:00 Intro\n5:00 Middle\n3:00 Back in time", "do not increase"),
        ("0:00 Intro\n2:00:00 Past the end", "past the video's end"),
    ],
)
def test_bad_description_timestamps_give_no_chapters_and_say_why(description, why):
    video = parse_info(info(description=description))
    assert video.chapters == [] and why in video.chapter_note


def test_a_title_then_its_time_is_a_chapter_too():
    chapters, note = description_chapters("Intro 0:00\nThe middle - 10:30", 3600)
    assert chapters == [(0, "Intro"), (630, "The middle")] and note == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected an object"),
        (info(_type="playlist"), "a yt-dlp playlist, not one video"),
        (info(extractor_key="Vimeo", extractor="vimeo"), "a video from Vimeo, not YouTube"),
        (info(id=None), "not a yt-dlp video: no id"),
        (info(title="", duration=None), "no title, duration"),
        (info(id="short"), "not a YouTube video id"),
        (info(duration="long"), "not a number of seconds"),
        (info(upload_date="2024-09-17"), "not a date like 20240917"),
    ],
)
def test_what_is_not_one_youtube_video_is_refused(text, message):
    with pytest.raises(DocumentError, match=message):
        parse_info(text)
