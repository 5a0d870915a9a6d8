"""Parse timed transcripts (WebVTT, SRT, youtube-transcript-api JSON) into cues.

One cue becomes one exact transcript segment. YouTube's auto-captions repeat each line
in the next cue (a "rolling" two-line display) and add 10 ms cues that only repeat the
last line: those repeats are dropped so each spoken word appears once.
"""

import html
import math
import re
from dataclasses import dataclass

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from kb.importers.documents import DocumentError, read_json

FORMATS = ("vtt", "srt", "json")
TIMING = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3}"
VTT_TIMING_LINE = re.compile(rf"^\s*{TIMING}\s+-->\s+{TIMING}(?:\s+.*)?$")
LOOKS_LIKE_TIMING = re.compile(r"-->|^\s*\d{1,2}:\d{2}[\d:.,]*\s*-+>?\s*\d")
SRT_TAGS = re.compile(r"</?[a-zA-Z][^>]*>|\{\\[^}]*\}")


@dataclass
class Cue:
    start_seconds: float
    end_seconds: float
    text: str
    speaker: str = ""  # a WebVTT voice tag's name (`<v Lenny>`)


def detect_format(name: str, text: str) -> str | None:
    """`vtt`, `srt` or `json` from the file's name, else from its first characters."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in FORMATS:
        return suffix
    head = text.lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if head[:1] in "[{":
        return "json"
    if re.match(rf"\d+\s*\n\s*{TIMING}\s+-->", head):
        return "srt"
    return None


def parse_captions(text: str, fmt: str) -> list[Cue]:
    parser = {"vtt": parse_vtt, "srt": parse_srt, "json": parse_json}[fmt]
    cues = parser(text)
    if not cues:
        raise DocumentError(f"no captions found in this {fmt.upper()} file")
    return cues


def _clean(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _drop_rolling_repeats(raw: list[tuple]) -> list[Cue]:
    """Keep only the lines a cue adds to the one before it; a cue adding nothing is no cue.
    Each raw cue is (start, end, lines) or (start, end, lines, speaker)."""
    cues: list[Cue] = []
    previous: list[str] = []
    for start, end, lines, *speaker in raw:
        lines = [line for line in (_clean(line) for line in lines) if line]
        new = [line for line in lines if line not in previous]
        previous = lines or previous
        if new:
            cues.append(
                Cue(start, max(end, start), " ".join(new), _clean(speaker[0]) if speaker else "")
            )
    return cues


def parse_vtt(text: str) -> list[Cue]:
    lines = text.split("\n")
    if not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise DocumentError("a WebVTT file must start with 'WEBVTT'", 1)
    for number, line in enumerate(lines, 1):
        if LOOKS_LIKE_TIMING.search(line) and not VTT_TIMING_LINE.match(line):
            raise DocumentError(f"broken cue timing line {line.strip()[:80]!r}", number)
    try:
        captions = webvtt.from_string(text)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise DocumentError(f"not a valid WebVTT file: {exc}") from None
    raw = [
        (
            caption.start_time.in_milliseconds() / 1000,
            caption.end_time.in_milliseconds() / 1000,
            caption.text.split("\n"),  # cue tags and inline word timings stripped
            getattr(caption, "voice", None) or "",  # who speaks: `<v Lenny>`
        )
        for caption in captions
    ]
    return _drop_rolling_repeats(raw)


def parse_srt(text: str) -> list[Cue]:
    for number, line in enumerate(text.split("\n"), 1):
        if LOOKS_LIKE_TIMING.search(line) and not VTT_TIMING_LINE.match(line):
            raise DocumentError(f"broken cue timing line {line.strip()[:80]!r}", number)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        skipped = len(exc.unmatched_content) - len(exc.unmatched_content.lstrip())
        line = text[: exc.expected_start + skipped].count("\n") + 1
        raise DocumentError(
            "this is not SRT: expected a number, then a timing line", line
        ) from None
    except ValueError as exc:
        raise DocumentError(f"not a valid SRT file: {exc}") from None
    raw = [
        (
            sub.start.total_seconds(),
            sub.end.total_seconds(),
            [SRT_TAGS.sub("", line) for line in sub.content.split("\n")],
        )
        for sub in subtitles
    ]
    return _drop_rolling_repeats(raw)


def parse_json(text: str) -> list[Cue]:
    """youtube-transcript-api's output: `[{"text": ..., "start": ..., "duration": ...}, ...]`."""
    data = read_json(text)
    if isinstance(data, dict):
        data = data.get("snippets", data.get("transcript"))
    if not isinstance(data, list):
        raise DocumentError(
            'expected a JSON list of {"text": ..., "start": ..., "duration": ...} entries'
        )
    cues = []
    for index, entry in enumerate(data, 1):
        where = f"entry {index}"
        if not isinstance(entry, dict):
            raise DocumentError(f'{where} is not an object with "text", "start" and "duration"')
        text_value = entry.get("text")
        if not isinstance(text_value, str):
            raise DocumentError(f'{where} has no "text" string')
        start, duration = entry.get("start"), entry.get("duration", 0)
        for name, value in (("start", start), ("duration", duration)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DocumentError(f'{where}: "{name}" must be a number of seconds')
            if not math.isfinite(value) or value < 0:
                raise DocumentError(f'{where}: "{name}" must be zero or more seconds')
        cleaned = _clean(text_value)
        if cleaned:
            cues.append(Cue(float(start), float(start) + float(duration), cleaned))
    return cues
