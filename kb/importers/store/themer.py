"""Themes for imported lessons, by meaning (kb.importers.themes): applied, and offered for
editors to decide."""

import contextlib
import contextvars
import functools

from kb import sentence_model
from kb.importers import themes
from kb.importers.summary import Section
from kb.models import Lesson, LessonTheme, Suggestion, Theme, ThemeSuggestion
from kb.search import meaning, sense


class Themer:
    """Themes for lessons by meaning (kb.importers.themes): each theme's profile from its
    description and the lessons editors filed under it, built once per import, or once
    per batch (`one_vocabulary`)."""

    def __init__(self):
        self.by_name = {theme.name.lower(): theme for theme in Theme.objects.all()}

    @functools.cached_property
    def profiles(self) -> list[themes.ThemeProfile]:
        vocabulary = list(self.by_name.values())
        described = embed_for_themes([f"{t.name}. {t.description}" for t in vocabulary])
        tagged = self._tagged_by_editors()
        return [
            themes.ThemeProfile(
                theme.name, theme.cues, themes.profile_vector(vector, tagged.get(theme.pk, []))
            )
            for theme, vector in zip(vocabulary, described, strict=True)
        ]

    @staticmethod
    def _tagged_by_editors() -> dict[int, list]:
        """Theme id → the stored vectors of lessons an editor tagged with it (their tags
        differ from what the importer gave them). Read as plain values: the import
        snapshots themselves are large."""
        given = dict(Lesson.objects.values_list("pk", "imported__tags"))
        names: dict[int, list[str]] = {}
        ids: dict[int, list[int]] = {}
        for lesson_id, theme_id, name in LessonTheme.objects.values_list(
            "content_object_id", "tag_id", "tag__name"
        ):
            names.setdefault(lesson_id, []).append(name)
            ids.setdefault(lesson_id, []).append(theme_id)
        curated = {
            pk: ids.get(pk, [])
            for pk, tags in given.items()
            if sorted(names.get(pk, [])) != sorted(tags or [])
        }
        tagged: dict[int, list] = {}
        for lesson_id, vector in _lesson_vectors(_latest_per_theme(curated)):
            for theme_id in curated[lesson_id]:
                tagged.setdefault(theme_id, []).append(vector)
        return tagged

    def choose(self, title: str, text: str) -> themes.Chosen:
        vector = embed_for_themes([f"{title}\n{text}"])[0]
        return themes.choose(themes.score(title, text, vector, self.profiles))

    def suggest(self, section: Section) -> themes.Chosen:
        return self.choose(section.title, "\n".join([section.prose, *section.takeaways]))

    def theme(self, name: str) -> Theme | None:
        return self.by_name.get(name.lower())

    def themes(self, names: list[str]) -> list[Theme]:
        return [theme for name in names if (theme := self.theme(name)) is not None]


# A theme's profile averages the lessons editors filed under it: the latest this many of
# each theme are enough to say what the editors mean by it.
TAGGED_PER_THEME = 50


def embed_for_themes(texts: list[str]):
    """Themes are chosen by the sentence model where it is installed (it tells what a
    paraphrase is about), else by the search's static model."""
    if sentence_model.available():
        return sentence_model.embed(texts)
    return meaning.embed(texts)


def _latest_per_theme(curated: dict[int, list[int]]) -> list[int]:
    latest: dict[int, list[int]] = {}
    for lesson_id in sorted(curated, reverse=True):
        for theme_id in curated[lesson_id]:
            latest.setdefault(theme_id, []).append(lesson_id)
    return sorted({pk for ids in latest.values() for pk in ids[:TAGGED_PER_THEME]})


def _lesson_vectors(lesson_ids: list[int]):
    """(lesson id, unit vector) of lessons, in the space `embed_for_themes` works in: their
    stored vectors (the sentence model's, kb.search.sense, where it reads themes; else the
    static model's), embedding only lessons stored without one. Embedding the hundreds of
    lessons editors filed took seconds in each new process."""
    if not sentence_model.available():
        ids, _, vectors = meaning.stored_matrix(meaning.LESSON, lesson_ids)
        yield from zip(ids.tolist(), vectors, strict=True)
        return
    ids, _, vectors = meaning.stored_matrix(sense.SENSE, lesson_ids, sense.DIMENSIONS)
    yield from zip(ids.tolist(), vectors, strict=True)
    found = set(ids.tolist())
    missing = [pk for pk in lesson_ids if pk not in found]
    if missing:
        lessons = list(Lesson.objects.filter(pk__in=missing).prefetch_related("takeaways"))
        vectors = embed_for_themes([sense.lesson_text(lesson) for lesson in lessons])
        yield from zip((lesson.pk for lesson in lessons), vectors, strict=True)


_batch_themer: contextvars.ContextVar[Themer | None] = contextvars.ContextVar(
    "batch_themer", default=None
)


@contextlib.contextmanager
def one_vocabulary():
    """Theme every file of a batch with one reading of the themes and of the lessons
    editors filed under them: reading those is work in proportion to the whole base, and
    a batch's own imports change neither (an editor's tagging during a long batch teaches
    the next one)."""
    token = _batch_themer.set(Themer())
    try:
        yield
    finally:
        _batch_themer.reset(token)


def current_themer() -> Themer:
    """The batch's Themer inside `one_vocabulary`, otherwise a fresh one."""
    return _batch_themer.get() or Themer()


def offer_themes(lesson: Lesson, offered: list[themes.Scored], themer: Themer) -> None:
    """Replace the open theme suggestions; themes an editor accepted or dismissed stay
    decided, and a theme the lesson has is not offered."""
    lesson.theme_suggestions.filter(status=Suggestion.OPEN).delete()
    decided_or_had = {
        *lesson.theme_suggestions.values_list("theme_id", flat=True),
        *lesson.tags.values_list("pk", flat=True),
    }
    ThemeSuggestion.objects.bulk_create(
        ThemeSuggestion(lesson=lesson, theme=theme, confidence=round(s.confidence, 3))
        for s in offered
        if (theme := themer.theme(s.name)) is not None and theme.pk not in decided_or_had
    )
