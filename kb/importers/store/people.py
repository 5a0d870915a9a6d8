"""The people an import names: a video's guests and host, a transcript's speakers."""

from django.db import models

from kb.models import Credit, Person, Role, Video, unique_slug


def _store_people(
    video: Video, proposed: dict, imported: dict | None, known: dict | None = None
) -> None:
    """Credit the guests and host the page names, while the video's people are still
    what an import set (or none): an editor's choice of people is kept. `known`: the
    person of a name, when the import has already found them (a transcript's speakers)."""
    known = known or {}
    credits = list(video.credits.select_related("person").order_by("role", "position"))
    current = {
        "guests": [c.person.name for c in credits if c.role == Role.GUEST],
        "host": next((c.person.name for c in credits if c.role == Role.HOST), ""),
    }
    untouched = current == imported if imported is not None else not credits
    if not untouched or current == proposed:
        return
    video.credits.all().delete()
    named = [(name, Role.GUEST) for name in proposed["guests"]]
    if proposed["host"]:
        named.append((proposed["host"], Role.HOST))
    Credit.objects.bulk_create(
        Credit(video=video, person=known.get(name) or person_named(name), role=role, position=n)
        for n, (name, role) in enumerate(named)
    )


def person_named(name: str) -> Person:
    """The person of that name (in any case), made if nobody has it yet."""
    person = Person.objects.filter(name__iexact=name).first()
    if person is None:
        person = Person.objects.create(name=name, slug=unique_slug(Person, name, "person"))
    return person


def speaker_people(
    video: Video, names: list[str], full: dict[str, str]
) -> tuple[dict[str, Person], list[str]]:
    """The person of each speaker name, and the merges an editor should confirm.

    A name the document spells out in full (`full`: "Ada Chen" → "Ada Chen Rekhi") is
    that person; a name someone already has is theirs; a first name ("Lenny") that starts
    the name of a person already on the same channel ("Lenny Rachitsky") is that person,
    with a warning; anyone else is made.
    """
    people, merged = {}, []
    firsts = {full.get(name, name).split()[0] for name in names if full.get(name, name).split()}
    on_channel = []
    if video.channel and firsts:
        # Only who could be one of them, however many people the channel has had (a
        # podcast's archive credits hundreds): anyone whose name starts as one of theirs.
        alike = models.Q()
        for first in firsts:
            alike |= models.Q(name__istartswith=first)
        on_channel = list(
            Person.objects.filter(alike, credits__video__channel=video.channel)
            .distinct()
            .order_by("pk")
        )
    for name in names:
        wanted = full.get(name, name)
        # The channel's fuller name first: "Lenny" is the "Lenny Rachitsky" already there.
        fuller = [p for p in on_channel if _starts_name(wanted, p.name)]
        person = fuller[0] if len(fuller) == 1 else None
        if person is not None:
            merged.append(
                f"speaker {name!r} read as {person.name!r}, already on {video.channel}: "
                "confirm it is the same person"
            )
        else:
            person = Person.objects.filter(name__iexact=wanted).first()
            if len(fuller) > 1:
                merged.append(
                    f"speaker {name!r} could be any of "
                    + ", ".join(repr(p.name) for p in fuller[:3])
                    + f" on {video.channel}: kept as {wanted!r}; an editor can say who it is"
                )
        shorter = next((p for p in on_channel if _starts_name(p.name, wanted)), None)
        if person is None and shorter is not None:
            # Earlier episodes named them shortly ("Lenny"): that person is given the name
            # in full (old slugs keep working), rather than made twice.
            merged.append(
                f"speaker {wanted!r} is {shorter.name!r} of earlier videos on "
                f"{video.channel}: renamed them {wanted!r}; confirm it is the same person"
            )
            shorter.name = wanted
            shorter.save(update_fields=["name"])
            person = shorter
        people[name] = person or person_named(wanted)
    return people, merged


def _starts_name(short: str, name: str) -> bool:
    a, b = short.casefold().split(), name.casefold().split()
    return 0 < len(a) < len(b) and b[: len(a)] == a
