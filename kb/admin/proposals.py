"""How an insight proposal reads to the editor deciding it: its lessons side by side (who
gives each, in which video, at what moment, and what it advises), and how close they are
in words rather than a cosine similarity."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import Truncator

from kb.insights import AGREE, DIFFER, GROUP_MEAN
from kb.models import Stance
from kb.timecodes import format_timecode

# A proposal's score is how close its lessons' meanings are (kb.insights: the mean cosine
# similarity of a group's lessons to one another, or of a disagreeing pair). The proposer
# pairs lessons from AGREE and keeps a group's member from GROUP_MEAN (DIFFER, for a pair
# that disagrees, is the same); "very close" is halfway from AGREE to saying the same.
VERY_CLOSE = AGREE + (1 - AGREE) / 2
CLOSENESS = [
    (VERY_CLOSE, "very close"),
    (AGREE, "close"),
    (min(GROUP_MEAN, DIFFER), "related"),
]


def closeness(score: float) -> str:
    """ "very close", "close", "related" or "loosely related"."""
    for floor, words in CLOSENESS:
        if score >= floor:
            return words
    return "loosely related"


@dataclass
class Voice:
    """One lesson of a proposal, as its card shows it."""

    title: str
    url: str  # its admin page
    stance: str  # "" when it supports the proposal, else what it does ("A different view")
    people: str
    video: str
    moment: str  # "≈52:45", or "" with no moment
    moment_url: str
    takeaways: list[str]
    opening: str  # the body's first words, for a lesson without takeaways


def side_by_side(members) -> list[Voice]:
    """The proposal's lessons (`ProposedLesson`s with their lesson's video, people, guests
    and takeaways loaded: InsightProposalAdmin.get_queryset), in order."""
    found = []
    for member in members:
        lesson = member.lesson
        video = lesson.video
        start = lesson.start_seconds
        takeaways = [takeaway.text for takeaway in lesson.takeaways.all()]
        found.append(
            Voice(
                title=lesson.title,
                url=reverse("admin:kb_lesson_change", args=[lesson.pk]),
                stance="" if member.stance == Stance.SUPPORTS else member.get_stance_display(),
                people=", ".join(person.name for person in lesson.speakers) or "no one named",
                video=video.title,
                moment=""
                if start is None
                else ("" if video.transcript_exact else "≈") + format_timecode(start),
                moment_url="" if start is None else video.moment_url(start),
                takeaways=takeaways,
                opening="" if takeaways else Truncator(lesson.body).words(40),
            )
        )
    return found
