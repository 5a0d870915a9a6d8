"""Who is in a video, as its summary page says it in prose: plain Python.

A guest is a name the headline and the intro share ("How Evan King Accelerated…",
"Evan King, a software engineer…"), or one the intro introduces ("…with Priya Nair",
"Priya Nair, a former support engineer…"). The host is the channel when the channel is
a person's name the speech confirms ("I'm Ryan", "thanks Ryan"). Nothing uncertain is
proposed: no person is better than a wrong one.
"""

import re
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W\d_][\w'’-]*")
POSSESSIVE = re.compile(r"['’]s$")
# Capitalised words that begin titles and sentences but are never part of a name.
NOT_NAME = frozenset(
    """a an and as at but by for from how in into is it its of on or the this that these
    those to what when where which who why with without your my our their his her you we
    i me us they he she after before about over under up down out new old first last best
    big small top why career careers software engineering engineer engineers staff senior
    junior principal lead manager managers management team teams company startup startups
    meta google amazon microsoft apple facebook netflix podcast show talks talk channel
    episode interview lessons lesson advice story stories guide tips ways things life work
    job jobs tech technology coding code developer developers programming ai ml data
    product design leadership promotion promotions growth success meet say welcome
    inside behind why""".split()
)
SHOW_WORDS = frozenset(
    """podcast podcasts show shows talks talk channel tv radio media studio studios labs
    lab academy school university institute careers career engineering engineers tech
    network club daily weekly official hq news live crew team hub co inc ltd llc group
    foundation insider digest cast stories conversations interviews track shift
    crossroads night builders breakers craft dev devs code coding""".split()
)
INTRODUCED = re.compile(
    r"(?:\bwith|\bguest|\bjoined by|\binterview with|\bconversation with|\btalking to)\s+$",
    re.IGNORECASE,
)
APPOSITIVE = re.compile(
    r"^\s*(?:,\s*(?:a|an|the|who|former|now|currently)\b|\s+(?:is|was|has|had|went|joined|"
    r"shares|explains|talks|tells|describes|says|reached|became|spent|started|left|managed|"
    r"leads|led|built|founded|works|worked)\b)",
    re.IGNORECASE,
)


@dataclass
class People:
    guests: list[str] = field(default_factory=list)
    host: str = ""
    # What an editor should confirm (a name spelled two ways), as warning lines.
    notes: list[str] = field(default_factory=list)


def _tokens(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


def _is_name_word(word: str) -> bool:
    word = POSSESSIVE.sub("", word)
    return (
        len(word) >= 2
        and word[0].isupper()
        and any(c.islower() for c in word)
        and word.lower() not in NOT_NAME
    )


def names(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each run of two or three capitalised words that could be a
    person's name, with nothing but spaces between them."""
    found, run = [], []
    for match in [*_tokens(text), None]:
        joined = (
            match is not None
            and run
            and text[run[-1].end() : match.start()].strip() == ""
            and _is_name_word(match.group())
        )
        if match is not None and (joined or (not run and _is_name_word(match.group()))):
            run.append(match)
            continue
        if 2 <= len(run) <= 3:
            words = [POSSESSIVE.sub("", m.group()) for m in run]
            found.append((" ".join(words), run[0].start(), run[-1].end()))
        run = [match] if match is not None and _is_name_word(match.group()) else []
    return found


def _windows(name: str) -> list[str]:
    """A run's two- and three-word parts, longest first ("Evan King Accelerated" holds
    "Evan King")."""
    words = name.split()
    return [
        " ".join(words[i : i + size])
        for size in range(len(words), 1, -1)
        for i in range(len(words) - size + 1)
    ]


def propose_people(headline: str, intro: str, channel: str, speech: str, title: str = "") -> People:
    """The guests (in the order the intro names them) and the host a page shows. The
    video's title counts as a headline: a name it shares with the intro is a guest."""
    people = People()
    channel_key = channel.casefold().strip()
    above = {
        w.casefold(): w for text in (title, headline) for name, _, _ in names(text)
        for w in _windows(name)
    }  # fmt: skip
    for run, start, end in names(intro):
        shared = next((w for w in _windows(run) if w.casefold() in above), "")
        if not shared:
            shared = _spelled_otherwise(run, above)
            if shared:
                said = next(w for w in _windows(run) if _close(w, shared))
                people.notes.append(
                    f"the guest is spelled {shared!r} above the summary and {said!r} in it: "
                    f"took {shared!r} (an editor can change it)"
                )
        introduced = INTRODUCED.search(intro[:start]) or APPOSITIVE.match(intro[end:])
        name = shared or (run if introduced else "")
        if not name or name.casefold() == channel_key:
            continue
        if name.casefold() not in {g.casefold() for g in people.guests}:
            people.guests.append(name)
    host = _channel_person(channel, speech)
    if host and host.casefold() not in {g.casefold() for g in people.guests}:
        people.host = host
    return people


def _spelled_otherwise(run: str, above: dict[str, str]) -> str:
    """The name in the title or headline that `run` (from the intro) spells a little
    differently ("Rahul Pande" for "Rahul Pandey"): same first name, a surname one or two
    letters apart. The title's spelling wins: it is the video's own."""
    for window in _windows(run):
        for name in above.values():
            if _close(window, name):
                return name
    return ""


def _close(one: str, other: str) -> bool:
    a, b = one.split(), other.split()
    if len(a) != len(b) or len(a) < 2 or a[0].casefold() != b[0].casefold():
        return False
    last_a, last_b = a[-1].casefold(), b[-1].casefold()
    if last_a == last_b or min(len(last_a), len(last_b)) < 4:
        return False
    return _edits(last_a, last_b) <= 2 and last_a[:3] == last_b[:3]


def _edits(a: str, b: str) -> int:
    """Levenshtein distance of two short words."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def _channel_person(channel: str, speech: str) -> str:
    """The channel, when it is a person's name that the speech confirms."""
    words = channel.split()
    if not 2 <= len(words) <= 3 or not all(_is_name_word(w) for w in words):
        return ""
    if any(w.lower() in SHOW_WORDS for w in words):
        return ""
    first = re.escape(words[0].lower())
    said = re.search(
        rf"\b(?:i'm|i am|this is|my name is|thanks|thank you|hey|hi)\s+{first}\b", speech.lower()
    )
    return channel.strip() if said else ""
