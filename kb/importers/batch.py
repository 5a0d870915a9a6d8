"""Several files imported together (a folder yt-dlp wrote, an editor's upload): which
file is a document of its own, which are captions belonging to an info.json, and the
order they go in. Plain names in, a plan out: the command and the admin read the files.

yt-dlp names every file of a video `Title [VIDEOID].ext`; that id pairs them. Info.json
files go first (each makes or refreshes its video, with the captions beside it), then
captions of videos already known, then summary pages and Markdown lessons, which land
on the videos the first two made.
"""

from dataclasses import dataclass
from pathlib import PurePath

from kb.importers import ytdlp

# What an import reads, by how its name ends; anything else in a folder is skipped.
DOCUMENT_SUFFIXES = (".json", ".vtt", ".srt", ".txt", ".md")


@dataclass
class Planned:
    name: str
    youtube_id: str = ""  # from the name: the video a page or captions belong to
    beside: tuple[str, ...] = ()  # for an info.json: the caption files written with it


def _order(name: str) -> int:
    if ytdlp.is_info_name(name):
        return 0
    if name.lower().endswith((".vtt", ".srt", ".json")):
        return 1
    return 2


def plan(names: list[str]) -> tuple[list[Planned], list[str]]:
    """(the documents to import, in order; the names skipped as not documents)."""
    documents = [n for n in names if PurePath(n).name.lower().endswith(DOCUMENT_SUFFIXES)]
    skipped = [n for n in names if n not in documents]
    infos = [n for n in documents if ytdlp.is_info_name(n)]
    stems = {n: PurePath(n).name[: -len(ytdlp.INFO_SUFFIX)] + "." for n in infos}
    owned: dict[str, list[str]] = {n: [] for n in infos}
    for name in documents:
        if not ytdlp.is_caption_name(name):
            continue
        owner = next(
            (i for i in infos if PurePath(name).name.startswith(stems[i])
             and PurePath(name).parent == PurePath(i).parent),
            None,
        )  # fmt: skip
        if owner is not None:
            owned[owner].append(name)
    taken = {name for names in owned.values() for name in names}
    planned = [
        Planned(n, ytdlp.video_id_in_name(n), tuple(owned.get(n, ())))
        for n in sorted(documents, key=_order)
        if n not in taken
    ]
    return planned, skipped
