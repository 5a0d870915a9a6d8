"""Lessons by what they mean, read by the sentence model (kb/sentence_model.py): the way
into a lesson for a question asked in the reader's own words.

Search's static model (kb.search.meaning) matches the words of a question more than what
it asks ("how do I delegate work I'm good at" never reaches *Give Away Your Legos*); the
sentence model does (bench/real/question_models.py). Each lesson's title and body are
stored as one vector of it (`MeaningVector` kind `sense`, int8, kept in step with every
save by kb.importers.derived), in files of their own beside the static model's (one
directory more, the same kb.search.vectors machinery: mapped by every worker, brought
up to date in work proportional to an edit). A query is embedded by the sentence model,
which the web server loads once in its master (config/gunicorn.py).

Without the model installed, or before `reindex` has stored these vectors for a base
imported by an older version, lessons by meaning come from the static model as before.
"""

import logging

import numpy as np

from kb import sentence_model
from kb.search import meaning
from kb.search.vectors import Store

log = logging.getLogger("kb.search")

SENSE = "sense"
DIMENSIONS = sentence_model.DIMENSIONS


def available() -> bool:
    """Whether search reads lessons by the sentence model: installed, and not switched
    off (`DJANGO_SENTENCE_SEARCH=0`, for a host short of memory)."""
    from django.conf import settings

    return settings.SENTENCE_SEARCH and sentence_model.available()


def lesson_text(lesson) -> str:
    """What a lesson is about: its title and body (its takeaways blur it: measured on the
    tune half of bench/real's reader questions)."""
    return f"{lesson.title}. {lesson.body}"


def index_lessons(lessons) -> None:
    """Store the lessons' vectors afresh (a machine draft has none)."""
    from kb.models import MeaningVector

    lessons = list(lessons)
    MeaningVector.objects.filter(kind=SENSE, lesson__in=lessons).delete()
    lessons = [lesson for lesson in lessons if not lesson.machine_draft]
    if not lessons or not available():
        return
    vectors = sentence_model.embed([lesson_text(lesson) for lesson in lessons])
    MeaningVector.objects.bulk_create(
        [
            MeaningVector(
                kind=SENSE,
                video_id=lesson.video_id,
                lesson=lesson,
                chapter_id=lesson.chapter_id,
                start_seconds=lesson.start_seconds,
                excerpt=lesson.title[:300],
                vector=pack(vector),
            )  # fmt: skip
            for lesson, vector in zip(lessons, vectors, strict=True)
        ],
        batch_size=2000,
    )


# Stored as the static model's vectors are (int8, any width).
pack = meaning.pack


_stores: dict = {}


def _store() -> Store:
    """This process's view of these files: a directory of their own inside the static
    model's for the database in use (whose place `kb.search.meaning` has worked out)."""
    beside = meaning._store().directory
    directory = beside / SENSE if beside is not None else None
    if directory not in _stores:
        _stores[directory] = Store(
            directory, (SENSE,), DIMENSIONS, meaning.COARSE_DIMENSIONS, meaning.SCALE
        )
    return _stores[directory]


class Index(meaning.Index):
    """The lessons' sentence vectors one search reads (kb.search.meaning.Index's reading,
    over these files)."""

    def __init__(self):
        self.store = _store()
        self.segments = self.store.segments()


def covering(meaning_index: "meaning.Index") -> "Index | None":
    """This search's sentence vectors of lessons, when they cover every lesson the static
    model has (a base stored by an older version needs `reindex` first): None otherwise,
    and lessons by meaning then come from the static model."""
    lessons = _live(meaning_index.vectors(meaning.LESSON))
    if not lessons or not available():
        return None
    index = Index()
    return index if _live(index.vectors(SENSE)) >= lessons else None


def _live(vectors: "meaning.Vectors") -> int:
    """How many rows the files hold that no search has found gone."""
    return sum(int((s.dead[a:b] == 0).sum()) for s, a, b in vectors.parts)


def embed(text: str) -> np.ndarray | None:
    """The question's vector; None (with a line in the log) if the model fails to run,
    and the static model answers instead: a reader's search never fails on it."""
    try:
        return sentence_model.embed([text])[0]
    except Exception:
        log.exception("the sentence model could not read a query; the static model answers")
        return None


def rebuild_files() -> int | None:
    return _store().rebuild()
