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


# A page of the generator's site copied whole, written for tests in its shapes: the header
# line, the summary, then the transcript as its raw timed entries (`[00:02] (2.56s)` then
# the words), with the readable view's chapter markers when `markers` is set.
GENERATOR_SUMMARY = """A headline about a first year on call

Dana Whitfield, a site reliability engineer, talks with Sam Ortiz about surviving on call.

Asking for Help Early

Paging a teammate after twenty minutes is faster than a lonely hour of guessing.

Key Takeaways:

  • Page a teammate after twenty minutes stuck.
  • Write down what you tried before you page.

Writing the Runbook

Every incident ends with a runbook change, however small.

Key Takeaways:

  • Change the runbook before you close the incident.
"""

# Small talk between the advice, so that each piece of advice is said in its own place.
FILLER = [
    "the coffee machine on our floor broke again this morning",
    "my cat walked across the keyboard during the standup",
    "we moved offices twice that year which was its own adventure",
    "the weather was terrible and the trains were late all week",
]


def _with_filler(said):
    """`said` ((seconds, marker, words)) with small talk every four seconds after each."""
    entries = []
    for n, (seconds, marker, words) in enumerate(said):
        entries.append((seconds, marker, words))
        following = said[n + 1][0] if n + 1 < len(said) else seconds + 40
        at, k = seconds + 4, 0
        while at < following - 2:
            entries.append((round(at, 2), None, FILLER[k % len(FILLER)]))
            at, k = at + 4, k + 1
    return entries


GENERATOR_ENTRIES = _with_filler([
    (2.56, "## Intro [00:00]", "welcome to the show today Dana joins us"),
    (61.04, "## Asking for help [01:01]", "I spent an hour stuck on a pager alert"),
    (64.8, None, "then I paged a teammate and she fixed it in five minutes"),
    (68.2, None, "so page a teammate after twenty minutes stuck"),
    (181.5, "## The runbook [03:01]", "after every incident we change the runbook"),
    (185.0, None, "even a small change before you close the incident"),
])  # fmt: skip


def generator_page(
    header="Reliability Hour • 5:00 minutes • Published 2025-03-04 • YouTube",
    markers=True,
    entries=None,
    summary=GENERATOR_SUMMARY,
    stated_chapters=3,
    title="Surviving Your First Year On Call",
) -> str:
    from kb.timecodes import format_timecode

    lines = []
    for seconds, marker, words in entries if entries is not None else GENERATOR_ENTRIES:
        if marker and markers:
            lines += ["", marker, ""]
        clock = format_timecode(seconds).rjust(5, "0")
        lines += [f"[{clock}] ({seconds:.2f}s)", words]
    transcript = (
        f"📝 Transcript Chapters ({stated_chapters} chapters):\n\n"
        f"📝 Transcript ({len(lines)} entries):\n\n" + "\n".join(lines)
        if lines
        else ""
    )
    head = f"{title}\n\n{header}\n\n" if header is not None else f"{title}\n\n"
    return (
        "YouTube Deep Summary\n\nVideo thumbnail\n\n"
        + head
        + f"📚 Chapter Summaries ({stated_chapters})\n\n🤖 AI-Generated Summary:\n\n"
        + summary
        + "\n\n"
        + transcript
        + "\n"
    )


# The test page's words with exact times, for attaching timed transcripts to it.
TIMED_WORDS = (
    "hello and welcome everyone today we talk about careers and growth "
    "I was stuck for hours and hours and then I asked a senior engineer for help "
    "and she knew the answer in five minutes so ask for help early "
    "my promotion packet was all about impact I collected evidence every week "
    "and my manager told me what the packet needs and I planted a garden "
    "which taught me patience be curious and rest well"
).split()


def timed_cues():
    """The test page's words as 5-word cues, said at 2 words a second from 0:10."""
    cues = []
    for n in range(0, len(TIMED_WORDS), 5):
        start = 10 + n / 2
        cues.append((start, start + 2.5, " ".join(TIMED_WORDS[n : n + 5])))
    return cues


def as_vtt(cues):
    """(start, end, text) cues as YouTube's WebVTT."""

    def ts(x):
        return f"00:{int(x // 60):02d}:{x % 60:06.3f}"

    blocks = [f"{ts(a)} --> {ts(b)} align:start position:0%\n{text}" for a, b, text in cues]
    return "WEBVTT\nKind: captions\nLanguage: en\n\n" + "\n\n".join(blocks) + "\n"


def as_srt(cues):
    """(start, end, text) cues as SRT."""

    def ts(x):
        return f"00:{int(x // 60):02d}:{x % 60:06.3f}".replace(".", ",")

    return "\n\n".join(
        f"{n}\n{ts(a)} --> {ts(b)}\n{text}" for n, (a, b, text) in enumerate(cues, 1)
    )


# The generator's standard summary template (Overview / Main Topics Covered / Key Takeaways
# & Insights / ...), as it writes it for a short video.
STANDARD_SUMMARY = """## Overview
Three engineers compare notes on their first on-call rotations and what they changed.

## Main Topics Covered
- Paging etiquette
- Runbooks
- Sleep

## Key Takeaways & Insights

### On Asking for Help
- Page a teammate after twenty minutes stuck.
- Say what you already tried.

### On Runbooks
- Change the runbook before you close the incident.

## Actionable Strategies
- Keep a log of every page you get.
- Review the log with your manager monthly.

## Specific Details & Examples
- One team cut its pages by half in a quarter.

## Warnings & Common Mistakes
- Silencing an alert without a ticket hides the next outage.

## Resources & Next Steps
- The team's incident review template.
"""
