"""Parsing summary pages and timed transcripts: plain Python, tested on strings."""

import datetime

import pytest

from kb.importers.captions import detect_format, parse_captions
from kb.importers.documents import DocumentError, decode_text
from kb.importers.summary import estimate_segments, parse_summary
from kb.importers.youtube import parse_youtube_id
from tests.pages import AUTO_VTT, page


def test_header_gives_title_channel_duration_and_date():
    parsed = parse_summary(page(title="Growing Fast: A Story", duration="117:16"))
    assert parsed.title == "Growing Fast: A Story"
    assert parsed.channel == "Career Talks"
    assert parsed.duration_seconds == 7036
    assert parsed.published_on == datetime.date(2024, 5, 6)
    assert parsed.headline == "A headline about growing as an engineer"
    assert parsed.intro.startswith("An intro paragraph")


def test_sections_keep_prose_lists_and_takeaways_apart():
    parsed = parse_summary(page())
    assert [s.title for s in parsed.sections] == [
        "Asking for Help Early",
        "Gardening & the <Promo> Packet",
        "Final Advice",
    ]
    asking, promo, final = parsed.sections
    assert asking.takeaways == [
        "Ask for help after thirty minutes stuck.",
        "Write down what you tried before you ask.",
    ]
    assert [b.kind for b in promo.blocks] == ["p", "ol"]
    assert promo.blocks[1].items == [
        "Collect evidence of impact every week.",
        "Ask your manager what the packet needs.",
    ]
    assert promo.takeaways == ["Your promo packet is written all year, not in a week."]
    assert "1. Collect evidence" in promo.body and "2. Ask your manager" in promo.body
    # No label: the bullets are the takeaways, not the body.
    assert final.takeaways == ["Be curious.", "Rest well."]
    assert final.body == ""


def test_resources_and_conclusion_are_not_lessons_and_the_call_to_action_is_dropped():
    parsed = parse_summary(page())
    assert parsed.resources == ["A book about careers: for further reading."]
    assert parsed.conclusion == "Growth is a marathon."
    assert "comment" not in parsed.conclusion


def test_bullets_before_the_label_are_body_not_takeaways():
    text = page().replace(
        "Spending hours stuck is slower than asking a senior engineer who knows the answer.",
        "He found that:\n\n  • Hours stuck are wasted.\n  • Seniors answer fast.",
    )
    asking = parse_summary(text).sections[0]
    assert asking.blocks[-1].kind == "ul"
    assert asking.blocks[-1].items == ["Hours stuck are wasted.", "Seniors answer fast."]
    assert len(asking.takeaways) == 2


def test_chapters_with_their_text_and_every_word_in_order():
    parsed = parse_summary(page(promo_start="1:02:03", duration="70:00"))
    assert [(c.title, c.start_seconds) for c in parsed.chapters] == [
        ("Intro", 0),
        ("Asking for help", 60),
        ("Promo packets", 3723),
    ]
    assert (
        parsed.chapters[0].text
        == "hello and welcome everyone today we talk about careers and growth"
    )
    assert parsed.word_count == sum(len(c.text.split()) for c in parsed.chapters) == 75


def test_estimated_segments_cover_every_word_timed_by_position():
    parsed = parse_summary(page())
    segments = estimate_segments(parsed)
    assert " ".join(s.text for s in segments).split() == [
        w for c in parsed.chapters for w in c.text.split()
    ]
    assert all(not s.exact for s in segments)
    assert all(3 <= len(s.text.split()) <= 10 for s in segments)
    # Segments of a chapter run from its start to the next chapter's start, in order.
    intro = [s for s in segments if s.chapter == 0]
    assert intro[0].start_seconds == 0
    assert intro[-1].end_seconds == 60
    starts = [s.start_seconds for s in segments]
    assert starts == sorted(starts)
    last = [s for s in segments if s.chapter == 2]
    assert last[-1].end_seconds == parsed.duration_seconds


@pytest.mark.parametrize(
    "change, message, line",
    [
        (("Career Talks • 10:00 minutes", "Career Talks • 10:0x minutes"), "is not a number", 7),
        (("Published 2024-05-06", "Published 2024-13-45"), "is not a date", 7),
        (("[03:00]", "[49:7x]"), "chapter 'Promo packets': '49:7x' is not a time", 60),
        (("[03:00]", "[00:30]"), "not after the chapter before it", 60),
        (("[03:00]", "[01:00]"), "not after the chapter before it", 60),
        (("[03:00]", "[10:00]"), "not before the video's end (10:00)", 60),
        (("[03:00]", "[]"), "has no time", 60),
        (("## Intro [00:00]", "## [00:00]"), "has no title", 60),
    ],
)
def test_bad_pages_are_refused_with_the_line_to_blame(change, message, line):
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        parse_summary(page().replace(*change))
    assert err.value.line == line


def test_a_page_without_its_header_is_refused_and_one_without_transcript_warned():
    with pytest.raises(DocumentError, match="no header line"):
        parse_summary("Just a title\n\nSome text.\n")
    # Issue 38: a page with only its summary is read; its lessons wait for a transcript.
    read = parse_summary(page(transcript=""))
    assert read.chapters == [] and len(read.sections) == 3
    assert any("holds no transcript" in message for _, message in read.warnings)


@pytest.mark.parametrize(
    "data, message, line",
    [
        (b"", "the file is empty", None),
        (b"  \n\n", "the file is empty", None),
        (b"line one\nPNG\x00\x01\x02", "binary file", 2),
        (b"ok\nstill ok\nbad \xff byte", "not UTF-8", 3),
    ],
)
def test_unreadable_files_are_refused(data, message, line):
    with pytest.raises(DocumentError, match=message) as err:
        decode_text(data)
    assert err.value.line == line


def test_utf16_without_a_bom_is_named_not_called_binary():
    with pytest.raises(DocumentError, match="looks like UTF-16 text without a byte-order mark"):
        decode_text(page().encode("utf-16-le"))
    with pytest.raises(DocumentError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_youtube_auto_captions_collapse_rolling_lines_and_strip_timings():
    cues = parse_captions(AUTO_VTT, "vtt")
    assert [c.text for c in cues] == [
        "hello and welcome everyone",
        "today we talk about careers",
        "and growth & more",
    ]
    assert [(c.start_seconds, c.end_seconds) for c in cues] == [(0.5, 3.0), (3.0, 6.0), (6.0, 8.0)]
    words = " ".join(c.text for c in cues).split()
    assert len(words) == len(set(words)) + 1  # each spoken word once ("and" is said twice)


def test_srt_cues_with_tags_stripped():
    text = (
        "1\n00:00:01,000 --> 00:00:03,500\n<i>Ask for help</i> early\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n{\\an8}and often\nwith care\n"
    )
    cues = parse_captions(text, "srt")
    assert [(c.start_seconds, c.end_seconds, c.text) for c in cues] == [
        (1.0, 3.5, "Ask for help early"),
        (4.0, 6.0, "and often with care"),
    ]


def test_youtube_transcript_api_json():
    text = (
        '[{"text": "ask for\\nhelp", "start": 1.5, "duration": 2.0},'
        ' {"text": "early", "start": 4, "duration": 1}]'
    )
    cues = parse_captions(text, "json")
    assert [(c.start_seconds, c.end_seconds, c.text) for c in cues] == [
        (1.5, 3.5, "ask for help"),
        (4.0, 5.0, "early"),
    ]


@pytest.mark.parametrize(
    "fmt, text, message, line",
    [
        ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhello\n", "broken cue timing line", 3),
        ("vtt", "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nhello\n", "broken cue timing line", 3),
        ("vtt", "hello\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "must start with 'WEBVTT'", 1),
        ("vtt", "WEBVTT\n\nNOTE nothing here\n", "no captions found", None),
        ("srt", "\n\ngarbage first\n\n1\n00:00:01,000 --> 00:00:02,000\nhi\n", "not SRT", 3),
        ("srt", "1\n00:00:01,000 --> 00:00:0x,000\nhi\n", "broken cue timing line", 2),
        ("json", '{"text": "a"}', "expected a JSON list", None),
        (
            "json",
            '[{"text": "a", "start": "soon", "duration": 1}]',
            '"start" must be a number',
            None,
        ),
        ("json", '[{"text": "a", "start": -1, "duration": 1}]', "zero or more", None),
        ("json", '[{"start": 1, "duration": 1}]', 'no "text"', None),
        ("json", "[1, 2]", "not an object", None),
        ("json", '[\n{"text": "a",\n', "not JSON", 3),
        # Issue 36: these printed a traceback instead of one error line.
        ("json", "[" * 100_000, "nested too deep", None),
        (
            "json",
            '[{"text": "a", "start": ' + "9" * 5000 + ', "duration": 1}]',
            "5000 digits",
            1,
        ),
        ("json", '[{"text": "a", "start": NaN, "duration": 1}]', "NaN is not a number", 1),
    ],
)
def test_bad_transcripts_are_refused_with_the_line_to_blame(fmt, text, message, line):
    with pytest.raises(DocumentError, match=message) as err:
        parse_captions(text, fmt)
    assert err.value.line == line


def test_format_is_detected_from_the_name_then_the_content():
    assert detect_format("talk.vtt", "") == "vtt"
    assert detect_format("talk", "WEBVTT\n\n") == "vtt"
    assert detect_format("talk", "1\n00:00:01,000 --> 00:00:02,000\nhi") == "srt"
    assert detect_format("talk", '[{"text": "hi"}]') == "json"
    assert detect_format("talk", "Some page") is None


@pytest.mark.parametrize(
    "value",
    [
        "dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?t=10",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://www.youtube.com/live/dQw4w9WgXcQ?si=abc",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
    ],
)
def test_youtube_ids_from_every_kind_of_url(value):
    assert parse_youtube_id(value) == "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "dQw4w9WgXc",
        "https://vimeo.com/dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/channel/UCabcdefghijk",
        "javascript:alert(1)",
    ],
)
def test_anything_else_is_not_a_youtube_id(value):
    with pytest.raises(DocumentError, match="not a YouTube video URL"):
        parse_youtube_id(value)


def test_the_seed_page_parses_completely(seed_path):
    parsed = parse_summary(decode_text(seed_path.read_bytes()))
    assert parsed.title == "25 Year Old Staff Eng @ Meta (Promotion Story)"
    assert parsed.channel == "Ryan Peterman"
    assert parsed.duration_seconds == 7036
    assert parsed.published_on == datetime.date(2025, 1, 17)
    assert len(parsed.chapters) == 19
    assert [c.start_seconds for c in parsed.chapters][:3] == [0, 88, 574]
    assert parsed.chapters[9].title == "Meta impact culture"
    assert parsed.chapters[9].start_seconds == 4322
    assert len(parsed.sections) == 15
    assert sum(len(s.takeaways) for s in parsed.sections) == 36
    assert parsed.word_count == 26_202
    assert parsed.chapters[-1].text.endswith("that's all we got")
    assert len(parsed.resources) == 2
    assert parsed.conclusion.startswith("Evan King’s journey")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a":' * 50_000, "nested too deep"),
        ('{"id": "abc", "duration": ' + "1" * 5000 + "}", "5000 digits"),
    ],
)
def test_an_absurd_info_json_is_refused_with_one_message(text, message):
    from kb.importers.ytdlp import parse_info

    with pytest.raises(DocumentError, match=message):
        parse_info(text)
