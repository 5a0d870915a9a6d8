"""Telling a speaker transcript of the same talk from another talk claiming its video."""

import re

from kb.importers.documents import DocumentError, Segment
from kb.importers.store.markdown import _words
from kb.models import Person, Role, Video

# A talk transcribed twice (two tools, or a transcript corrected) shares most of its runs
# of four words; two talks of one show share under a tenth (the show's intro, its ads).
SAME_TALK_SHARE = 0.2


def _runs(texts) -> set[int]:
    words = [w for text in texts for w in re.findall(r"[\w'’]+", text.casefold())]
    return {hash(tuple(words[n : n + 4])) for n in range(len(words) - 3)}


def _same_talk(video: Video, spoken, cut: list[Segment], update: bool) -> tuple[bool, str]:
    """A speaker transcript for a video that has a timed transcript already: (is it that
    very transcript again, a warning to give).

    The same talk is a new version of it (--update replaces it); that very transcript again
    changes nothing (unless --update refreshes the rest of the file). Another talk claiming
    the video's YouTube id, whatever its title says, is refused: the file's id is wrong, and
    --update would put one talk's words on another's video. Unless the video's title says
    otherwise: when the person it names speaks in this file and not in the video's
    transcript, that transcript is the misplaced one, and --update replaces it.
    """
    from kb.importers.speakers import same_person_loosely, title_people

    stored = list(
        video.segments.order_by("start_seconds", "id").values_list("start_seconds", "text")
    )
    mine = [(s.start_seconds, s.text) for s in cut]
    if [(round(a), t) for a, t in stored] == [(round(a), t) for a, t in mine]:
        return True, (
            f"the same transcript as video '{video.slug}' has, word for word: nothing to "
            "change (a second copy of a file imported before?)"
        )
    old, new = _runs(t for _, t in stored), _runs(t for _, t in mine)
    share = len(old & new) / max(min(len(old), len(new)), 1)
    if share >= SAME_TALK_SHARE:
        return False, ""
    here = [name for name in [*spoken.guests, spoken.host, *spoken.speakers] if name]
    there = list(
        Person.objects.filter(segments__video=video).distinct().values_list("name", flat=True)
    )

    def speaks(person: str, voices: list[str]) -> bool:
        return any(same_person_loosely(person, voice) for voice in voices)

    named = title_people(video.title)
    fits_here = [p for p in named if speaks(p, here) and not speaks(p, there)]
    fits_there = [p for p in named if speaks(p, there) and not speaks(p, here)]
    talk = (
        f"the YouTube id {video.youtube_id} is already video '{video.slug}' ({video.title!r}), "
        "and this file's transcript is another talk: "
        + (
            "this file has the same title, but"
            if _words(video.title) == _words(spoken.title)
            else f"this file is {spoken.title!r}, and"
        )
        + f" only {share:.0%} of its phrases are in that video's transcript"
    )
    if fits_here:
        if update:
            return False, (
                f"{talk}; {fits_here[0]}, whom the title names, speaks in this file and not "
                "in that one: this file's transcript takes its place"
            )
        raise DocumentError(
            f"{talk}. {fits_here[0]}, whom the title names, speaks in this file and not in "
            "that one: it is that video's transcript which looks misplaced (the file it came "
            "from may carry this id by mistake). Correct the id in that file; then --update "
            "puts this file's transcript in its place",
            1,
        )
    theirs = list(
        video.credits.filter(role=Role.GUEST)
        .order_by("position")
        .values_list("person__name", flat=True)
    )
    if spoken.guests and theirs and not set(spoken.guests) & set(theirs):
        talk += f"; its guest is {' & '.join(spoken.guests)}, that video's {' & '.join(theirs)}"
    if fits_there:
        raise DocumentError(
            f"{talk}. {fits_there[0]}, whom the title names, speaks in that video's transcript "
            "and not in this file: this file's video_id and title look copied from that "
            "video. Correct them in the file and import it again",
            1,
        )
    raise DocumentError(
        f"{talk}. Is its video_id right? Correct the video_id (and the title, if it is that "
        "video's) in the file and import it again",
        1,
    )
