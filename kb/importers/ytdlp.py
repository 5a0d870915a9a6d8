"""yt-dlp's `.info.json` (`yt-dlp --write-info-json --skip-download URL`): what a video
is, in plain Python. Only the fields named here are read; yt-dlp writes a hundred more.

Chapters come from its `chapters` list, else from the timestamp lines YouTube shows in
the description ("0:00 Intro", "1:02:03 – Q&A"); those must start at 0 and increase,
as YouTube itself requires, or the video gets none and `chapter_note` says why.
"""

import dataclasses
import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from kb.importers.documents import DocumentError, read_json
from kb.timecodes import format_timecode, parse_timecode

# A description line that is a chapter: a time first (optionally bracketed or after a
# bullet), then a separator or none, then the title; or the title, then the time.
TIME = r"\d{1,2}(?::\d{2}){1,2}"
LEADING = re.compile(rf"^\W{{0,3}}[\[(]?(?P<time>{TIME})[\])]?\s*(?:[-–—:|·•]\s*)?(?P<title>\S.*)$")
TRAILING = re.compile(rf"^(?P<title>\S.*?)\s*(?:[-–—:|·•]\s*)?[\[(]?(?P<time>{TIME})[\])]?$")
INFO_SUFFIX = ".info.json"
CAPTION_SUFFIXES = (".vtt", ".srt")  # in the order preferred for one language
# yt-dlp's default output template names every file "Title [VIDEOID].ext".
ID_IN_NAME = re.compile(r"\[([A-Za-z0-9_-]{11})\]")


@dataclass
class VideoInfo:
    youtube_id: str
    title: str
    channel: str
    published_on: datetime.date | None
    duration_seconds: int
    description: str
    language: str
    chapters: list[tuple[int, str]] = field(default_factory=list)
    chapter_note: str = ""

    def digest(self) -> str:
        """Of what an import reads: a fresh download whose view count changed is the
        same version of the video."""
        fields = dataclasses.asdict(self)
        return hashlib.sha256(json.dumps(fields, default=str, sort_keys=True).encode()).hexdigest()


def looks_like_info(text: str) -> bool:
    """Cheap test for `--format auto`: a JSON object with yt-dlp's own keys."""
    head = text.lstrip()[:20000]
    return head.startswith("{") and '"extractor' in head and '"id"' in head


def parse_info(text: str) -> VideoInfo:
    """A yt-dlp info.json of one YouTube video; DocumentError for anything else."""
    data = read_json(text)
    if not isinstance(data, dict):
        raise DocumentError("not a yt-dlp info.json: expected an object")
    if data.get("_type") not in (None, "video"):
        raise DocumentError(
            f"a yt-dlp {data['_type']}, not one video: import each video's info.json"
        )
    extractor = str(data.get("extractor_key") or data.get("extractor") or "")
    if extractor and extractor.lower() != "youtube":
        raise DocumentError(f"a video from {extractor}, not YouTube")
    missing = [key for key in ("id", "title", "duration") if data.get(key) in (None, "")]
    if missing:
        raise DocumentError(f"not a yt-dlp video: no {', '.join(missing)}")
    youtube_id = str(data["id"])
    if not re.fullmatch(r"[A-Za-z0-9_-]{11}", youtube_id):
        raise DocumentError(f"'{youtube_id}' is not a YouTube video id")
    try:
        duration = int(float(data["duration"]))
    except (TypeError, ValueError):
        raise DocumentError(f"duration {data['duration']!r} is not a number of seconds") from None
    if duration <= 0:
        raise DocumentError("duration must be more than zero seconds")
    description = str(data.get("description") or "")
    info = VideoInfo(
        youtube_id=youtube_id,
        title=" ".join(str(data["title"]).split())[:300],
        channel=" ".join(str(data.get("channel") or data.get("uploader") or "").split())[:200],
        published_on=_upload_date(data.get("upload_date")),
        duration_seconds=duration,
        description=description,
        language=str(data.get("language") or ""),
    )
    listed = _listed_chapters(data.get("chapters"), duration)
    if listed:
        info.chapters = listed
    else:
        info.chapters, info.chapter_note = description_chapters(description, duration)
    return info


def _upload_date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        raise DocumentError(f"upload_date {value!r} is not a date like 20240917") from None


def _listed_chapters(chapters, duration: int) -> list[tuple[int, str]]:
    found = []
    for chapter in chapters or []:
        if not isinstance(chapter, dict):
            continue
        try:
            start = int(float(chapter.get("start_time")))
        except (TypeError, ValueError):
            continue
        title = " ".join(str(chapter.get("title") or "").split())
        if 0 <= start < duration and title:
            found.append((start, title[:300]))
    return sorted(set(found))


def description_chapters(description: str, duration: int) -> tuple[list[tuple[int, str]], str]:
    """(chapters, why there are none) from a description's timestamp lines."""
    found = []
    for line in description.splitlines():
        line = line.strip()
        match = LEADING.match(line) or TRAILING.match(line)
        if not match:
            continue
        try:
            start = parse_timecode(match.group("time"))
        except ValueError:
            continue
        title = match.group("title").strip(" -–—:|·•")
        if title:
            found.append((start, title[:300]))
    if not found:
        return [], "no chapters: neither a chapter list nor timestamps in the description"
    starts = [start for start, _ in found]
    if starts[0] != 0:
        first = format_timecode(starts[0])
        return [], f"no chapters: the description's timestamps start at {first}, not 0:00"
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        return [], "no chapters: the description's timestamps do not increase"
    if starts[-1] >= duration:
        return [], "no chapters: a description timestamp is past the video's end"
    return found, ""


def video_id_in_name(name: str) -> str:
    """The YouTube id yt-dlp puts in a file's name (`Title [VIDEOID].en.vtt`), or ""."""
    found = ID_IN_NAME.findall(PurePath(name).name)
    return found[-1] if found else ""


def is_info_name(name: str) -> bool:
    return name.lower().endswith(INFO_SUFFIX)


def is_caption_name(name: str) -> bool:
    return name.lower().endswith(CAPTION_SUFFIXES)


def _stem(info_name: str) -> str:
    return PurePath(info_name).name[: -len(INFO_SUFFIX)] + "."


def written_with(info_name: str, name: str) -> bool:
    """`name` is captions yt-dlp wrote with that info.json: `<same name>.<lang>.vtt|srt`
    in the same folder."""
    path, info = PurePath(name), PurePath(info_name)
    return (
        is_caption_name(path.name) and path.parent == info.parent
        and path.name.startswith(_stem(info_name))
    )  # fmt: skip


def captions_for(info_name: str, names: list[str], language: str) -> str | None:
    """Of the files beside an info.json, the captions yt-dlp wrote for it
    (`written_with`): the video's own language first, then English; a single caption
    file in another language when neither is there."""
    stem = _stem(info_name)
    by_language: dict[str, list[str]] = {}
    for name in names:
        if not written_with(info_name, name):
            continue
        language_tag, _, suffix = PurePath(name).name[len(stem) :].rpartition(".")
        if language_tag and "." not in language_tag:
            by_language.setdefault(language_tag.lower(), []).append(name)
    for files in by_language.values():
        files.sort(key=lambda n: CAPTION_SUFFIXES.index("." + n.rsplit(".", 1)[-1].lower()))
    for wanted in [language.lower(), "en"]:
        if not wanted:
            continue
        # "en" is also YouTube's "en-US", and yt-dlp's "en-orig" (the untranslated track).
        for tag in sorted(by_language, key=lambda t: (t != wanted, t)):
            if tag == wanted or tag.startswith(wanted + "-"):
                return by_language[tag][0]
    if len(by_language) == 1:
        return next(iter(by_language.values()))[0]
    return None
