"""Insights proposed by the machine: lessons of different videos that give the same
advice, and pairs that seem to give opposite advice, for editors to decide.

Agreement comes from meaning vectors (kb.search.meaning): two lessons of different
videos are neighbours when their whole texts are close, or when one piece of their
advice is (a title or a takeaway of each: a lesson often gives several pieces, and one
shared piece is an insight), and when they do not advise opposite things. Groups grow
greedily from the lesson with the most close neighbours, one lesson per video, each
member close to the group on average; a lesson may be in several groups, a pair of
lessons in one. The most central member's title is the suggested title.

Disagreement is a pair of close lessons where one says *not* to do what the other
advises: a word negated in one ("don't escalate", "stop writing code", "say no to the
big rewrite") is advised, unnegated, in the other. Only titles and takeaways are read:
bodies tell stories ("people told me to stop coding") that are not the advice.

Proposals are kept (`InsightProposal`) with a signature of their lessons: a decided
one is never made again; when its lessons change, it is a new proposal.
"""

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

# Cosine similarities of WordLlama vectors, set on the samples (bench/insights.py).
AGREE = 0.58
GROUP_MEAN = 0.45
MAX_GROUP = 6
NEIGHBOURS = 8
DIFFER = 0.45
# Similarities computed at once, at most (a block of rows against every column): about
# 16 MB of float32 whatever the number of lessons (with the indexes that pick each row's
# best, about four times that at the peak).
BLOCK_VALUES = 4_000_000

NEGATIONS = frozenset("don't dont never stop avoid no not without".split())
STOPWORDS = frozenset(
    """a an the to of in on at for from by with and or but as is are be it its this that
    your you our my their his her them they we i me us at all any some one every each
    so than then too very just only more most less first own new big small""".split()
)
WORD = re.compile(r"[a-z][a-z'’-]*")


def stem(word: str) -> str:
    word = word.replace("’", "'")
    for ending in ("ing", "ed", "es", "s", "e"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _advice_words(text: str) -> tuple[set[str], set[str]]:
    """(words advised, words negated): a negation covers the next word that is not a
    stopword, the verb of the advice ("never run a rotation with fewer than five"
    negates run, not rotation; "say no to the big rewrite" negates rewrite)."""
    advised, negated = set(), set()
    for sentence in re.split(r"[.:;!?\n]+", text.lower()):
        words = WORD.findall(sentence)
        left = 0
        for word in words:
            if word.replace("’", "'") in NEGATIONS:
                left = 1
                continue
            if word in STOPWORDS:
                continue
            (negated if left else advised).add(stem(word))
            left = max(left - 1, 0)
    return advised, negated


def opposed(first: str, second: str) -> set[str]:
    """The words one text advises against and the other advises."""
    return _opposed(_advice_words(first), _advice_words(second))


def _opposed(first, second) -> set[str]:
    (a_advised, a_negated), (b_advised, b_negated) = first, second
    return (a_negated & (b_advised - b_negated)) | (b_negated & (a_advised - a_negated))


@dataclass
class Proposed:
    kind: str  # "agree" or "differ"
    lesson_ids: list[int]
    slugs: list[str]
    title: str
    theme_id: int | None
    score: float

    @property
    def signature(self) -> str:
        return signature(self.kind, self.lesson_ids)


def signature(kind: str, lesson_ids) -> str:
    """What a proposal is known by: its kind and its lessons, in any order."""
    key = f"{kind}:" + ",".join(map(str, sorted(lesson_ids)))
    return hashlib.sha256(key.encode()).hexdigest()


# Of two proposals of the same lessons, the one kept: an editor's decision over none.
DECIDED_FIRST = {"accepted": 0, "dismissed": 1, "open": 2}


def mend_proposals(proposal_ids, proposals=None, members=None) -> None:
    """Proposals that lost lessons (deleted with their videos, or one by one): each is known
    again by the lessons it still has; one left with the lessons of fewer than two videos is
    removed, and of two left with the same lessons the more decided one stays. Without this
    a backup could hold two proposals of the same lessons, and would not restore.

    `proposals` and `members` are the models (a migration passes its own)."""
    if proposals is None:
        from kb.models import InsightProposal as proposals
        from kb.models import ProposedLesson as members
    for proposal in proposals.objects.filter(pk__in=list(proposal_ids)):
        left = list(
            members.objects.filter(proposal=proposal).values_list("lesson_id", "lesson__video_id")
        )
        if len({video for _, video in left}) < 2:
            proposal.delete()
            continue
        known_by = signature(proposal.kind, [lesson for lesson, _ in left])
        if known_by == proposal.signature:
            continue
        twin = proposals.objects.filter(signature=known_by).first()
        if twin is not None:
            if DECIDED_FIRST[twin.status] <= DECIDED_FIRST[proposal.status]:
                proposal.delete()
                continue
            twin.delete()
        proposal.signature = known_by
        proposal.save(update_fields=["signature"])


def lesson_left_proposal(sender, instance, origin=None, **kwargs) -> None:
    """A `post_delete` receiver for ProposedLesson: mend the proposal a lesson left, unless
    the proposal itself is what is being deleted."""
    from kb.models import InsightProposal

    if getattr(origin, "model", type(origin)) is InsightProposal:
        return
    mend_proposals([instance.proposal_id])


@dataclass
class Candidates:
    ids: np.ndarray
    videos: np.ndarray
    vectors: np.ndarray  # unit rows, float32: each lesson's stored vector
    pieces: np.ndarray  # unit rows: each lesson's title and takeaways, one a row
    owners: np.ndarray  # the lesson (its index here) of each row of `pieces`
    slugs: list[str]
    titles: list[str]
    # Read only for the lessons a proposal may hold (`describe`): what they advise and
    # their themes.
    words: dict[int, tuple[set[str], set[str]]] = field(default_factory=dict)
    themes: dict[int, set[int]] = field(default_factory=dict)

    def opposed(self, i: int, j: int) -> bool:
        return bool(_opposed(self.words[i], self.words[j]))

    def describe(self, indexes) -> None:
        """Read the advice words and themes of the lessons at `indexes`."""
        from kb.models import LessonTheme, Takeaway

        wanted = sorted(set(indexes) - set(self.words))
        position = {int(self.ids[i]): i for i in wanted}
        takeaways = defaultdict(list)
        for lesson_id, text in Takeaway.objects.filter(lesson_id__in=list(position)).values_list(
            "lesson_id", "text"
        ):
            takeaways[lesson_id].append(text)
        for lesson_id, i in position.items():
            self.words[i] = _advice_words("\n".join([self.titles[i], *takeaways[lesson_id]]))
            self.themes[i] = set()
        for lesson_id, tag in LessonTheme.objects.filter(
            content_object_id__in=list(position)
        ).values_list("content_object_id", "tag_id"):
            self.themes[position[lesson_id]].add(tag)


def _candidates(theme=None) -> Candidates:
    """Every lesson with a stored vector, and its pieces' vectors: stored ones as they
    are, and those of lessons stored before pieces were (embedded and stored now, once),
    so that an import compares its own lessons with the rest without embedding them."""
    from kb.models import Lesson, MeaningVector, Takeaway
    from kb.search.meaning import LESSON, PIECES, embed, pieces_row, stored_matrix

    # A machine's draft is not advice until an editor accepts it.
    lessons = Lesson.objects.filter(machine_draft=False).order_by("pk")
    if theme is not None:
        lessons = lessons.filter(tags=theme)
    rows = list(lessons.values_list("pk", "video_id", "slug", "title"))
    ids, _, vectors = stored_matrix(LESSON, [pk for pk, *_ in rows])
    have = set(ids.tolist())
    rows = [row for row in rows if row[0] in have]  # by pk, as `ids` are
    owned, counts, pieces = stored_matrix(PIECES, ids.tolist())
    stored = set(owned.tolist())
    missing = [row for row in rows if row[0] not in stored]
    if missing:
        takeaways = defaultdict(list)
        for lesson_id, text in (
            Takeaway.objects.filter(lesson_id__in=[pk for pk, *_ in missing])
            .order_by("position", "pk")
            .values_list("lesson_id", "text")
        ):
            takeaways[lesson_id].append(text)
        texts = [[title, *takeaways[pk]] for pk, *_, title in missing]
        embedded = embed([text for each in texts for text in each])
        made, at = [], 0
        for (pk, video_id, *_), each in zip(missing, texts, strict=True):
            made.append(pieces_row(pk, video_id, embedded[at : at + len(each)]))
            at += len(each)
        MeaningVector.objects.bulk_create(made, batch_size=2000)
        pieces = np.concatenate([pieces, embedded])
        owned = np.concatenate([owned, [pk for pk, *_ in missing]])
        counts = np.concatenate([counts, [len(each) for each in texts]])
    owners = np.repeat(np.searchsorted(ids, owned), counts)
    return Candidates(
        ids=ids,
        pieces=pieces,
        owners=owners,
        videos=np.array([video for _, video, *_ in rows], dtype=np.int64),
        vectors=vectors,
        slugs=[slug for _, _, slug, _ in rows],
        titles=[title for *_, title in rows],
    )


def _neighbours(c: Candidates, floor: float, around=None) -> dict[int, dict[int, float]]:
    """{i: {j: similarity}}: each lesson's NEIGHBOURS closest lessons of other videos,
    at least `floor` close, by whole texts or best pieces. A block of rows at a time
    (4,500 lessons' 18,000 pieces against each other at once would be over a gigabyte;
    BLOCK_VALUES bounds a block), keeping the best few of each row, so the memory stays
    linear in the lessons.

    With `around` (lesson indexes), only those lessons' rows and then their neighbours'
    are compared with everything: what a group with one of them needs, since a group's
    closeness is measured between all its members. An import then costs its own lessons
    and their neighbourhood, not every lesson against every other."""
    found: dict[int, dict[int, float]] = defaultdict(dict)

    def keep(matrix, owners, rows):
        similar = matrix[rows] @ matrix.T
        similar[c.videos[owners[rows]][:, None] == c.videos[owners][None, :]] = -1.0
        k = min(NEIGHBOURS, similar.shape[1]) - 1
        # The k + 1 best of each row, at its end (no negated copy of the block).
        top = np.argpartition(similar, similar.shape[1] - k - 1, axis=1)[:, -(k + 1) :]
        values = np.take_along_axis(similar, top, axis=1)
        row, at = np.nonzero(values >= floor)
        for i, j, value in zip(
            owners[rows][row].tolist(), owners[top[row, at]].tolist(),
            values[row, at].tolist(), strict=True,
        ):  # fmt: skip
            if value > found[i].get(j, -1.0):
                found[i][j] = found[j][i] = value

    def compare(lessons: np.ndarray) -> None:
        for rows, matrix, owners in (
            (lessons, c.vectors, np.arange(len(c.ids))),
            (np.flatnonzero(np.isin(c.owners, lessons)), c.pieces, c.owners),
        ):
            block = max(BLOCK_VALUES // max(len(matrix), 1), 1)
            for start in range(0, len(rows), block):
                keep(matrix, owners, rows[start : start + block])

    def best(links: dict[int, float]) -> dict[int, float]:
        return dict(sorted(links.items(), key=lambda item: -item[1])[:NEIGHBOURS])

    if around is None:
        compare(np.arange(len(c.ids)))
    else:
        compare(around)
        ring = {j for i in around.tolist() for j in best(found.get(i, {}))} - set(around.tolist())
        compare(np.array(sorted(ring), dtype=np.int64))
    return {i: best(links) for i, links in found.items()}


def _groups(c: Candidates, near, chosen=None) -> list[Proposed]:
    left = {
        i: {
            j: v for j, v in links.items()
            if v >= AGREE and _touches(chosen, i, j) and not c.opposed(i, j)
        }
        for i, links in near.items()
    }  # fmt: skip
    left = {i: links for i, links in left.items() if links}
    proposals = []
    # Seeds in order of how close their neighbours are, once: each group then costs only
    # its own edges. Around an import, only its lessons seed groups: each then gathers
    # its own close lessons, old or new, as a whole run would (an old lesson seeding
    # would pair it with one new lesson at a time).
    seeds = left if chosen is None else chosen & set(left)
    for seed in sorted(seeds, key=lambda i: (-sum(left[i].values()), i)):
        if not left.get(seed):
            continue
        members, videos = [seed], {c.videos[seed]}
        for j, _ in sorted(left[seed].items(), key=lambda item: -item[1]):
            if len(members) >= MAX_GROUP:
                break
            if c.videos[j] in videos or j not in left:
                continue
            if float(np.mean([near[m].get(j, 0.0) for m in members])) >= GROUP_MEAN:
                members.append(j)
                videos.add(c.videos[j])
        if len(members) < 2:
            continue  # its neighbours all went elsewhere: no advice shared, nothing to say
        for i in members:
            for j in members:
                left.get(i, {}).pop(j, None)
        closeness = np.array(
            [np.mean([near[m].get(o, 0.0) for o in members if o != m]) for m in members]
        )
        order = [members[k] for k in np.argsort(-closeness, kind="stable")]
        proposals.append(_proposed(c, "agree", order, float(closeness.mean())))
    return proposals


def _proposed(c: Candidates, kind: str, order: list[int], score: float) -> Proposed:
    counts = Counter(tag for i in order for tag in c.themes[i])
    best = min(counts.items(), key=lambda item: (-item[1], item[0]), default=None)
    theme_id = best[0] if best and best[1] >= 2 else None
    return Proposed(
        kind,
        [int(c.ids[i]) for i in order],
        [c.slugs[i] for i in order],
        c.titles[order[0]],
        theme_id,
        round(score, 4),
    )


def _touches(chosen, i: int, j: int) -> bool:
    """Whether a pair of lessons may be proposed: any pair, or with `chosen` (the
    lessons looked around) one that has one of them in it."""
    return chosen is None or i in chosen or j in chosen


def _disagreements(c: Candidates, near, chosen=None) -> list[Proposed]:
    found = []
    for i, links in near.items():
        for j, similarity in links.items():
            if j <= i or similarity < DIFFER or not _touches(chosen, i, j):
                continue
            if c.opposed(i, j):
                found.append(_proposed(c, "differ", [i, j], similarity))
    return sorted(found, key=lambda p: -p.score)


def propose(theme=None, videos=None) -> list[Proposed]:
    """What the lessons (those under `theme`, if given) suggest, best first; with
    `videos` (ids: an import's), only proposals with a lesson of one of those videos."""
    c = _candidates(theme)
    around = None if videos is None else np.flatnonzero(np.isin(c.videos, list(videos)))
    if len(c.ids) < 2 or (around is not None and not len(around)):
        return []
    near = _neighbours(c, min(AGREE, DIFFER), around)
    c.describe({i for i, links in near.items() for i in (i, *links)})
    chosen = None if around is None else set(around.tolist())
    agree = _groups(c, near, chosen)
    differ = _disagreements(c, near, chosen)
    return sorted(agree, key=lambda p: -p.score) + differ


@dataclass
class Suggested:
    made: list  # InsightProposal rows new this run
    kept: int  # already proposed or decided, left as they were
    covered: int  # already in an insight's evidence, not proposed


def suggest(theme=None, videos=None, dry_run: bool = False) -> Suggested:
    """Store what `propose` finds: new proposals open; an open proposal no longer found
    is removed (with `theme` or `videos`, only one that it was looked for in); decided
    ones (accepted, dismissed) are kept and never made again."""
    from kb.models import Evidence, InsightProposal, ProposedLesson, Stance, Suggestion

    proposed = propose(theme, videos)
    in_insights = defaultdict(set)
    for insight_id, lesson_id in Evidence.objects.exclude(lesson=None).values_list(
        "insight_id", "lesson_id"
    ):
        in_insights[insight_id].add(lesson_id)
    existing = set(InsightProposal.objects.values_list("signature", flat=True))
    fresh, kept, covered = [], 0, 0
    for p in proposed:
        if p.signature in existing:
            kept += 1
        elif any(set(p.lesson_ids) <= lessons for lessons in in_insights.values()):
            covered += 1
        else:
            fresh.append(p)
    if dry_run:
        return Suggested(fresh, kept, covered)
    with transaction.atomic():
        stale = InsightProposal.objects.filter(status=Suggestion.OPEN).exclude(
            signature__in=[p.signature for p in proposed]
        )
        if theme is not None:
            stale = stale.filter(members__lesson__tags=theme).distinct()
        if videos is not None:
            stale = stale.filter(members__lesson__video__in=list(videos)).distinct()
        InsightProposal.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
        made = []
        for p in fresh:
            row = InsightProposal.objects.create(
                kind=p.kind, title=p.title[:300], theme_id=p.theme_id,
                signature=p.signature, score=p.score,
            )  # fmt: skip
            ProposedLesson.objects.bulk_create(
                ProposedLesson(
                    proposal=row,
                    lesson_id=lesson_id,
                    position=n,
                    stance=Stance.CONTRASTS if p.kind == "differ" and n else Stance.SUPPORTS,
                )  # fmt: skip
                for n, lesson_id in enumerate(p.lesson_ids)
            )
            made.append(row)
    return Suggested(made, kept, covered)


def describe(proposal) -> str:
    """The command's line for a proposal (stored or not): `proposal: <slug> …: <title>`."""
    slugs = getattr(proposal, "slugs", None)
    if slugs is None:
        slugs = [member.lesson.slug for member in proposal.members.select_related("lesson")]
    kind = " (may disagree)" if proposal.kind == "differ" else ""
    return f"proposal: {' '.join(slugs)}: {proposal.title}{kind}"
