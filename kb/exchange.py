"""The whole knowledge base as one versioned JSON document, and back.

Schema `career-kb/1` (declared in kb.exchange_schema, documented in docs/backup.md):
themes (with their descriptions and cue words) and theme redirects, people and person
redirects; then each video with its credits (guests and hosts), chapters, transcript,
lessons (with takeaways, themes, people and suggested quotes; machine drafts marked),
quotes and the passages lessons were drafted from (decided ones too); then insights
with their evidence, and the insight proposals (decided ones too, so none comes back).
Every list is in a fixed order and nothing depends on database ids, so export → restore
→ export gives the same bytes. Accounts and the admin's history are not part of it.
"""

import contextlib
import datetime
import gc
import json

from django.db import transaction

from kb import exchange_schema as schema
from kb import insights as kb_insights
from kb.exchange_references import check_references
from kb.exchange_schema import SCHEMA, SchemaError, validated
from kb.importers.derived import TRANSCRIPT, deferred, stale
from kb.importers.documents import strict_json
from kb.models import (
    Chapter,
    Credit,
    DraftPassage,
    Evidence,
    Insight,
    InsightProposal,
    Lesson,
    LessonTheme,
    Person,
    PersonRedirect,
    ProposedLesson,
    Quote,
    QuoteSuggestion,
    QuoteTheme,
    Takeaway,
    Theme,
    ThemeRedirect,
    ThemeSuggestion,
    TranscriptSegment,
    Video,
)
from kb.search import tidy_index
from kb.text import clean_tree

VIDEO_FIELDS = [
    "slug", "title", "channel", "published_on", "duration_seconds", "youtube_id", "status",
    "headline", "description", "intro", "conclusion", "resources", "transcript_exact", "import_key",
    "source_hash", "imported",
]  # fmt: skip
LESSON_FIELDS = [
    "slug", "title", "body", "status", "start_seconds", "position", "import_key", "imported",
    "keywords",
]  # fmt: skip


class ExchangeError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line  # the file's line to blame, when one is


def loads(raw: bytes):
    """The JSON document in an export file's bytes. Anything that is not one (not UTF-8,
    not JSON, nested past what Python's reader follows, a number no column can hold)
    raises ExchangeError, with the line to blame where there is one."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExchangeError(f"not UTF-8 text (byte {exc.start})") from None
    return strict_json(text, ExchangeError, "a restore")


def _chapter_key(chapter_id, starts: dict) -> int | None:
    return starts.get(chapter_id) if chapter_id else None


def export_data() -> dict:
    """The knowledge base as the backup format's models (kb.exchange_schema) dump it, ready
    for `dumps`: each part is read into its model as it is exported, so what is written is
    what a restore reads. ExchangeError, naming the JSON path, should the database hold a
    value the format cannot carry."""
    themes = {t.pk: t.slug for t in Theme.objects.all()}
    people = {p.pk: p.slug for p in Person.objects.all()}
    lesson_people: dict[int, list[str]] = {}
    for link in Lesson.people.through.objects.all():
        lesson_people.setdefault(link.lesson_id, []).append(people[link.person_id])
    lesson_themes: dict[int, list[str]] = {}
    for link in LessonTheme.objects.all():
        lesson_themes.setdefault(link.content_object_id, []).append(themes[link.tag_id])
    quote_themes: dict[int, list[str]] = {}
    for link in QuoteTheme.objects.all():
        quote_themes.setdefault(link.content_object_id, []).append(themes[link.tag_id])

    videos = []
    quote_places = {}  # a quote's place in the export, for insights' evidence
    for place, video in enumerate(Video.objects.order_by("slug")):
        starts = {c.pk: c.start_seconds for c in video.chapters.all()}
        quotes = list(video.quotes.order_by("start_seconds", "end_seconds", "text", "pk"))
        quote_keys = {q.pk: n for n, q in enumerate(quotes)}
        quote_places.update(
            {pk: {"video": video.slug, "number": n} for pk, n in quote_keys.items()}
        )
        lessons = list(video.lessons.order_by("position", "slug"))
        lesson_slugs = {lesson.pk: lesson.slug for lesson in lessons}
        entry = {name: _json_value(getattr(video, name)) for name in VIDEO_FIELDS}
        entry["credits"] = [
            {"person": people[c.person_id], "role": c.role, "position": c.position}
            for c in video.credits.order_by("role", "position", "person__slug")
        ]
        entry["chapters"] = [
            {"title": c.title, "start_seconds": c.start_seconds}
            for c in video.chapters.order_by("start_seconds")
        ]
        entry["segments"] = [
            [s.start_seconds, s.end_seconds, s.text, s.exact, _chapter_key(s.chapter_id, starts)]
            + ([people[s.speaker_id]] if s.speaker_id else [])
            for s in video.segments.order_by("start_seconds", "end_seconds", "text", "pk")
        ]
        entry["lessons"] = [
            {
                **{name: getattr(lesson, name) for name in LESSON_FIELDS},
                "machine_draft": lesson.machine_draft,
                "chapter": _chapter_key(lesson.chapter_id, starts),
                "themes": sorted(lesson_themes.get(lesson.pk, [])),
                "people": sorted(lesson_people.get(lesson.pk, [])),
                "takeaways": [
                    {
                        "text": t.text,
                        "position": t.position,
                        "start_seconds": t.start_seconds,
                        "score": t.score,
                        "confirmed": t.confirmed,
                    }
                    for t in lesson.takeaways.order_by("position", "text", "pk")
                ],
                "suggestions": [
                    {
                        "text": s.text,
                        "start_seconds": s.start_seconds,
                        "end_seconds": s.end_seconds,
                        "score": s.score,
                        "rank": s.rank,
                        "status": s.status,
                        "chapter": _chapter_key(s.chapter_id, starts),
                        "quote": quote_keys.get(s.quote_id),
                    }
                    for s in lesson.suggestions.order_by("rank", "start_seconds", "text", "pk")
                ],
                "theme_suggestions": [
                    {"theme": themes[s.theme_id], "confidence": s.confidence, "status": s.status}
                    for s in lesson.theme_suggestions.order_by("-confidence", "theme_id")
                ],
            }
            for lesson in lessons
        ]
        entry["quotes"] = [
            {
                "text": q.text,
                "speaker": q.speaker_name,
                "person": people.get(q.speaker_id),
                "start_seconds": q.start_seconds,
                "end_seconds": q.end_seconds,
                "status": q.status,
                "chapter": _chapter_key(q.chapter_id, starts),
                "lesson": lesson_slugs.get(q.lesson_id),
                "themes": sorted(quote_themes.get(q.pk, [])),
            }
            for q in quotes
        ]
        # What the machine drafted, and what editors decided: a restore proposes none again.
        entry["draft_passages"] = [
            {
                "start_seconds": p.start_seconds, "end_seconds": p.end_seconds, "title": p.title,
                "score": p.score, "status": p.status, "lesson": lesson_slugs.get(p.lesson_id),
            }
            for p in video.draft_passages.order_by(
                "start_seconds", "end_seconds", "title", "status", "pk"
            )
        ]  # fmt: skip
        # Each video is written as its model dumps it, the model let go at once: what
        # an export holds is then no more than the document it writes.
        videos.append(_written(schema.Video, entry, f"$.videos[{place}]").model_dump())
    data = {
        "schema": SCHEMA,
        "people": [
            {"name": p.name, "slug": p.slug, "bio": p.bio, "link": p.link}
            for p in Person.objects.order_by("slug")
        ],
        "person_redirects": [
            {"old_slug": r.old_slug, "person": r.person.slug}
            for r in PersonRedirect.objects.select_related("person").order_by("old_slug")
        ],
        "themes": [
            {"name": t.name, "slug": t.slug, "description": t.description, "cues": t.cues}
            for t in Theme.objects.order_by("slug")
        ],
        "theme_redirects": [
            {"old_slug": r.old_slug, "theme": r.theme.slug}
            for r in ThemeRedirect.objects.select_related("theme").order_by("old_slug")
        ],
        "videos": [],
        **_export_insights(themes, quote_places),
    }
    return {**_written(schema.Backup, data).model_dump(), "videos": videos}


def _written(model, data, at: str = "$"):
    try:
        return validated(model, data, at)
    except SchemaError as exc:
        raise ExchangeError(f"the knowledge base does not fit its backup format: {exc}") from None


def _export_insights(themes: dict, quote_places: dict) -> dict:
    lessons = dict(Lesson.objects.values_list("pk", "slug"))
    insight_themes: dict[int, list[str]] = {}
    for link in Insight.themes.through.objects.all():
        insight_themes.setdefault(link.insight_id, []).append(themes[link.theme_id])
    slugs = dict(Insight.objects.values_list("pk", "slug"))
    return {
        "insights": [
            {
                "title": i.title, "slug": i.slug, "summary": i.summary, "status": i.status,
                "themes": sorted(insight_themes.get(i.pk, [])),
                "evidence": [
                    {"stance": e.stance, "lesson": lessons.get(e.lesson_id),
                     "quote": quote_places.get(e.quote_id), "note": e.note,
                     "position": e.position}
                    for e in i.evidence.order_by("position", "pk")
                ],
            }
            for i in Insight.objects.order_by("slug")
        ],
        "insight_proposals": sorted(
            (
                {
                    "kind": p.kind, "title": p.title, "score": p.score, "status": p.status,
                    "theme": themes.get(p.theme_id), "insight": slugs.get(p.insight_id),
                    "lessons": [[lessons[m.lesson_id], m.stance] for m in p.members.all()],
                }
                for p in InsightProposal.objects.prefetch_related("members")
            ),
            key=lambda p: (p["kind"], [slug for slug, _ in p["lessons"]], p["title"]),
        ),
    }  # fmt: skip


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _one_proposal_per_lessons(data):
    """Backups written before proposals were mended when their lessons were deleted
    (kb.insights.mend_proposals) can hold two proposals of the same lessons: the more
    decided one is restored, so that every backup restores. Anything not shaped like a
    backup is left for validation to name."""
    proposals = data.get("insight_proposals") if isinstance(data, dict) else None
    if not isinstance(proposals, list):
        return data
    kept: dict = {}
    for proposal in proposals:
        try:
            key = (proposal["kind"], tuple(sorted(slug for slug, _ in proposal["lessons"])))
            rank = kb_insights.DECIDED_FIRST[proposal["status"]]
            hash(key)
        except (KeyError, TypeError, ValueError):
            return data
        if key not in kept or rank < kb_insights.DECIDED_FIRST[kept[key]["status"]]:
            kept[key] = proposal
    if len(kept) < len(proposals):
        chosen = {id(p) for p in kept.values()}
        data["insight_proposals"] = [p for p in proposals if id(p) in chosen]
    return data


def check(data) -> schema.Backup:
    """The document a restore writes: `data` with its texts cleaned and an older backup's
    twin proposals mended, read into the backup format's models and checked whole
    (kb.exchange_schema, kb.exchange_references); ExchangeError naming the JSON path to
    blame when it does not hold together."""
    data = _one_proposal_per_lessons(clean_tree(data))
    try:
        with _collector_paused():
            backup = validated(schema.Backup, data)
        check_references(backup)
    except SchemaError as exc:
        raise ExchangeError(exc.message) from None
    return backup


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while the models are built: each of its full passes
    walks the whole document read (millions of objects in a large backup), and the
    models' hundreds of thousands of new objects set off several, though none of them can
    form a cycle (bench/restore.py times it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_data(data) -> dict:
    """Restore an export into an empty knowledge base, in one transaction.

    The whole document is checked first (`check`): a bad one raises ExchangeError naming
    the JSON path to blame, and nothing is written. Control characters are taken out of
    every text first, as on any import (kb.text)."""
    backup = check(data)
    del data  # what was read, once the models hold it (the caller's copy aside)
    if Video.objects.exists() or Insight.objects.exists() or InsightProposal.objects.exists():
        raise ExchangeError("the knowledge base is not empty: restore into a fresh database")
    with transaction.atomic(), deferred():
        # The migrations' starting themes give way to the exported ones.
        Theme.objects.filter(lesson_items__isnull=True, quote_items__isnull=True).delete()
        themes = {
            t.slug: Theme.objects.create(
                name=t.name, slug=t.slug, description=t.description, cues=t.cues
            )
            for t in backup.themes
        }
        for redirect in backup.theme_redirects:
            ThemeRedirect.objects.create(old_slug=redirect.old_slug, theme=themes[redirect.theme])
        people = {
            p.slug: Person.objects.create(name=p.name, slug=p.slug, bio=p.bio, link=p.link)
            for p in backup.people
        }
        for redirect in backup.person_redirects:
            PersonRedirect.objects.create(
                old_slug=redirect.old_slug, person=people[redirect.person]
            )
        counts = {"videos": 0, "lessons": 0, "quotes": 0, "segments": 0}
        quotes = {}  # (video slug, number in the export) -> the restored quote's id
        for entry in backup.videos:
            for n, quote in enumerate(_import_video(entry, themes, people, counts)):
                quotes[(entry.slug, n)] = quote.pk
        counts["insights"] = _import_insights(backup, themes, quotes)
    tidy_index()
    return counts


def _import_insights(backup: schema.Backup, themes: dict, quotes: dict) -> int:
    lessons = dict(Lesson.objects.values_list("slug", "pk"))
    made = {}
    for item in backup.insights:
        insight = Insight.objects.create(
            title=item.title, slug=item.slug, summary=item.summary, status=item.status
        )
        insight.themes.set([themes[slug] for slug in item.themes])
        Evidence.objects.bulk_create(
            Evidence(
                insight=insight, stance=e.stance, note=e.note, position=e.position,
                lesson_id=lessons[e.lesson] if e.lesson else None,
                quote_id=quotes[(e.quote.video, e.quote.number)] if e.quote else None,
            )
            for e in item.evidence
        )  # fmt: skip
        made[insight.slug] = insight
    for item in backup.insight_proposals:
        ids = [lessons[slug] for slug, _ in item.lessons]
        proposal = InsightProposal.objects.create(
            kind=item.kind, title=item.title, score=item.score, status=item.status,
            theme=themes.get(item.theme), insight=made.get(item.insight),
            signature=kb_insights.signature(item.kind, ids),
        )  # fmt: skip
        ProposedLesson.objects.bulk_create(
            ProposedLesson(proposal=proposal, lesson_id=pk, stance=stance, position=n)
            for n, (pk, (_, stance)) in enumerate(zip(ids, item.lessons, strict=True))
        )
    return len(made)


def _import_video(entry: schema.Video, themes: dict, people: dict, counts: dict) -> list[Quote]:
    """Restore one video; returns its quotes in the export's order."""
    values = {name: getattr(entry, name) for name in VIDEO_FIELDS}
    if values["published_on"]:
        values["published_on"] = datetime.date.fromisoformat(values["published_on"])
    video = Video.objects.create(**values)
    Credit.objects.bulk_create(
        Credit(video=video, person=people[c.person], role=c.role, position=c.position)
        for c in entry.credits
    )
    created = Chapter.objects.bulk_create(
        Chapter(video=video, title=c.title, start_seconds=c.start_seconds) for c in entry.chapters
    )
    chapters = {c.start_seconds: c for c in created}
    TranscriptSegment.objects.bulk_create(
        (
            TranscriptSegment(
                video=video, start_seconds=start, end_seconds=end, text=text, exact=exact,
                chapter=chapters.get(chapter), speaker=people[said[0]] if said else None,
            )
            for start, end, text, exact, chapter, *said in entry.segments
        ),
        batch_size=2000,
    )  # fmt: skip
    quotes = []
    lessons = {}
    for item in entry.lessons:
        lesson = Lesson.objects.create(
            video=video,
            chapter=chapters.get(item.chapter),
            machine_draft=item.machine_draft,
            **{name: getattr(item, name) for name in LESSON_FIELDS},
        )
        lesson.tags.set([themes[slug] for slug in item.themes])
        lesson.people.set([people[slug] for slug in item.people])
        Takeaway.objects.bulk_create(
            Takeaway(lesson=lesson, **t.model_dump()) for t in item.takeaways
        )
        lessons[lesson.slug] = (lesson, item.suggestions)
        ThemeSuggestion.objects.bulk_create(
            ThemeSuggestion(lesson=lesson, theme=themes[s.theme], confidence=s.confidence,
                            status=s.status)
            for s in item.theme_suggestions
        )  # fmt: skip
    for item in entry.quotes:
        quote = Quote.objects.create(
            video=video,
            chapter=chapters.get(item.chapter),
            lesson=lessons[item.lesson][0] if item.lesson else None,
            text=item.text,
            speaker=people.get(item.person),
            speaker_name=item.speaker,
            start_seconds=item.start_seconds,
            end_seconds=item.end_seconds,
            status=item.status,
        )
        quote.tags.set([themes[slug] for slug in item.themes])
        quotes.append(quote)
    for lesson, suggestions in lessons.values():
        QuoteSuggestion.objects.bulk_create(
            QuoteSuggestion(
                lesson=lesson,
                chapter=chapters.get(s.chapter),
                quote=quotes[s.quote] if s.quote is not None else None,
                **s.model_dump(
                    include={"text", "start_seconds", "end_seconds", "score", "rank", "status"}
                ),
            )
            for s in suggestions
        )
    DraftPassage.objects.bulk_create(
        DraftPassage(
            video=video,
            lesson=lessons[p.lesson][0] if p.lesson else None,
            **p.model_dump(include={"start_seconds", "end_seconds", "title", "score", "status"}),
        )
        for p in entry.draft_passages
    )
    stale(TRANSCRIPT, video.pk)  # its segments were made in bulk: no signal says so
    counts["videos"] += 1
    counts["lessons"] += len(entry.lessons)
    counts["quotes"] += len(entry.quotes)
    counts["segments"] += len(entry.segments)
    return quotes
