"""Small summary pages and transcripts written for tests, in the real formats."""

PAGE = """YouTube Deep SummaryYouTube Deep Summary

Video thumbnail

{title}

{channel} • {duration} minutes • Published 2024-05-06 • YouTube

📚 Chapter Summaries (3)

🤖 AI-Generated Summary:

A headline about growing as an engineer

An intro paragraph that sets the scene for the lessons below.


Asking for Help Early

Spending hours stuck is slower than asking a senior engineer who knows the answer.

Key Takeaways:

  • Ask for help after thirty minutes stuck.
  • Write down what you tried before you ask.

Gardening & the <Promo> Packet

Gardening taught her patience; the promotion packet rewarded documented impact.

  1. Collect evidence of impact every week.

  2. Ask your manager what the packet needs.

Key Takeaway:

  • Your promo packet is written all year, not in a week.

Final Advice

  • Be curious.
  • Rest well.

Resources to Explore

  • A book about careers: for further reading.

Conclusion

Growth is a marathon.


Have questions? Drop a comment below!


📝 Transcript Chapters (3 chapters):

📝 Transcript (9 entries):

{transcript}
"""

TRANSCRIPT = (
    "## Intro [00:00] hello and welcome everyone today we talk about careers and growth "
    "## Asking for help [01:00] I was stuck for hours and hours and then I asked a senior "
    "engineer for help and she knew the answer in five minutes so ask for help early "
    "## Promo packets [{promo_start}] my promotion packet was all about impact I collected "
    "evidence every week and my manager told me what the packet needs and I planted a garden "
    "which taught me patience be curious and rest well"
)


def page(
    title="Growing Fast: A Story",
    channel="Career Talks",
    duration="10:00",
    promo_start="03:00",
    transcript=None,
) -> str:
    text = transcript if transcript is not None else TRANSCRIPT.format(promo_start=promo_start)
    return PAGE.format(title=title, channel=channel, duration=duration, transcript=text)


AUTO_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.500 --> 00:00:03.000 align:start position:0%
 
hello<00:00:00.900><c> and</c><00:00:01.200><c> welcome</c><00:00:01.600><c> everyone</c>

00:00:02.990 --> 00:00:03.000 align:start position:0%
hello and welcome everyone
 

00:00:03.000 --> 00:00:06.000 align:start position:0%
hello and welcome everyone
today<00:00:03.400><c> we</c><00:00:03.700><c> talk</c><00:00:04.000><c> about</c><00:00:04.300><c> careers</c>

00:00:05.990 --> 00:00:06.000 align:start position:0%
today we talk about careers
 

00:00:06.000 --> 00:00:08.000 align:start position:0%
today we talk about careers
and<00:00:06.400><c> growth</c> &amp; more

"""


def info_json(**fields) -> str:
    """An info.json shaped like yt-dlp's: the fields the import reads among many it
    ignores. By default, the video `page()` summarises (same title, channel, date, length)."""
    import json

    data = {
        "id": "GrowFast123", "title": "Growing Fast: A Story", "fulltitle": "Growing Fast",
        "channel": "Career Talks", "uploader": "career-talks-uploads",
        "upload_date": "20240506", "duration": 600, "duration_string": "10:00",
        "description": "How she grew fast.\n\n0:00 Intro\n1:10 Asking for help\n"
                       "3:15 Promo packets\n\nhttps://example.org",
        "language": "en", "extractor": "youtube", "extractor_key": "Youtube",
        "formats": [{"format_id": "18", "ext": "mp4", "vcodec": "avc1"}],
        "thumbnails": [{"url": "https://i.ytimg.com/vi/x/hq.jpg"}], "tags": ["career"],
        "view_count": 1234, "like_count": 56, "automatic_captions": {"en": [{"ext": "vtt"}]},
        "subtitles": {}, "chapters": None, "_type": "video", "epoch": 1714953600,
        "webpage_url": "https://www.youtube.com/watch?v=GrowFast123",
    }  # fmt: skip
    data.update(fields)
    return json.dumps(data, indent=2)


# What the talk in `page()` says, as its captions time it: later than the page's own
# chapter marks, so a moment on the exact captions differs from an estimate.
SPOKEN = [
    (2.0, "hello and welcome everyone today we talk about careers and growth"),
    (75.0, "I was stuck for hours and hours and then I asked a senior engineer for help "
           "and she knew the answer in five minutes so ask for help early"),
    (200.0, "my promotion packet was all about impact I collected evidence every week and "
            "my manager told me what the packet needs and I planted a garden which taught "
            "me patience be curious and rest well"),
]  # fmt: skip


def _cues(spoken, words_per_cue=5, seconds_per_cue=1.5):
    for start, text in spoken:
        words = text.split()
        for n in range(0, len(words), words_per_cue):
            at = start + seconds_per_cue * (n // words_per_cue)
            yield at, at + seconds_per_cue, " ".join(words[n : n + words_per_cue])


def _stamp(seconds: float, comma: bool = False) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"
    return text.replace(".", ",") if comma else text


def timed_vtt(spoken=SPOKEN) -> str:
    return "WEBVTT\nKind: captions\nLanguage: en\n\n" + "".join(
        f"{_stamp(a)} --> {_stamp(b)}\n{text}\n\n" for a, b, text in _cues(spoken)
    )


def timed_srt(spoken=SPOKEN) -> str:
    return "".join(
        f"{n}\n{_stamp(a, True)} --> {_stamp(b, True)}\n{text}\n\n"
        for n, (a, b, text) in enumerate(_cues(spoken), 1)
    )
