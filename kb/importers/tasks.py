"""Work an import leaves for a task worker (`manage.py db_worker`, docs/deployment.md):
what may take minutes and must not hold the import's transaction, and with it SQLite's
write lock, while it runs."""

import logging

from django.db import transaction
from django_tasks import task

from kb import insights
from kb.importers import derived
from kb.importers.store import propose_drafts, store_drafts
from kb.models import Video
from kb.text import counted

log = logging.getLogger(__name__)


@task()
def rewrite_drafts(video_id: int, model: str) -> str:
    """A video's machine drafts rewritten by the language model `model`
    (kb.importers.drafting_llm): asked outside any transaction, stored in one. Drafts an
    editor decided or edited meanwhile stay as they are (store_drafts). Returns what the
    model did, as the import's summary says it."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "the video was deleted before its drafts were rewritten"
    proposal = propose_drafts(video, model)
    with transaction.atomic():
        drafted = store_drafts(video, proposal=proposal)
    said = drafted.rewritten.note() if drafted.rewritten else "no drafts to rewrite"
    log.info("%s: %s", video.slug, said)
    return said


@task()
def propose_insights(video_ids: list[int]) -> str:
    """Insight proposals around the videos an import wrote (kb.insights.suggest): their
    lessons compared with every other video's. Returns how many were made."""
    made = len(insights.suggest(videos=video_ids).made)
    return counted(made, "new insight proposal")


@task()
def reindex() -> str:
    """Everything derived from the words and the index of words rebuilt from the data, as
    `manage.py reindex` does, by a task worker (`manage.py reindex --queue`): it takes
    minutes at a million lines. Other hosts' meaning index files catch up from the
    vectors it stores."""
    rows = derived.reindex()
    return "reindexed" if rows is None else f"reindexed: {rows:,} vectors in this host's files"
