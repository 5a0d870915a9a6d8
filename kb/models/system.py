"""The machinery's own tables: the content version, imports waiting for a worker, and
the meaning vectors search reads."""

import uuid

from django.conf import settings
from django.db import models

from kb.models.catalogue import Chapter, Video
from kb.models.lessons import Lesson


class ContentVersion(models.Model):
    """One row whose number changes whenever readers' content may have changed.

    Database triggers (migration 0009) bump it on every write to the knowledge base, from
    any process: the admin, an import, a script. Cached pages are keyed by it, so every
    web worker sees a change on its very next request.
    """

    version = models.BigIntegerField(default=0)
    # Stamped by the database whenever `version` changes (migration 0025): the API's
    # Last-Modified.
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"content version {self.version}"


class PendingImport(models.Model):
    """A file uploaded in the admin, kept on the server between its preview and its
    confirmation (never sent back and forth through the form), and the state of its work.

    In the database, so that any app server behind the load balancer can confirm what
    another previewed. Big files are previewed and imported outside the request; the
    page shows their progress. The file's bytes are dropped once it is imported or fails,
    and rows older than a day are removed. While it is at work, `options["worker"]` names
    the process doing it and `updated_at` is its heartbeat (kb.admin.background).
    """

    class State(models.TextChoices):
        PREVIEWING = "previewing", "Reading the file"
        PREVIEWED = "previewed", "Previewed"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, db_index=True)
    data = models.BinaryField(blank=True)
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWING)
    progress = models.CharField(max_length=300, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.TextField(blank=True)
    video = models.ForeignKey(Video, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"


class MeaningVector(models.Model):
    """What a lesson, or a window of a video's transcript, is about (kb.search.meaning)."""

    KINDS = [
        ("video", "video"),
        ("lesson", "lesson"),
        ("quote", "quote"),
        ("window", "transcript window"),
        ("pieces", "a lesson's title and takeaways"),
        ("sense", "a lesson, read by the sentence model"),
    ]
    kind = models.CharField(max_length=10, choices=KINDS)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, null=True, related_name="+")
    quote = models.ForeignKey("Quote", on_delete=models.CASCADE, null=True, related_name="+")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, null=True, related_name="+")
    start_seconds = models.FloatField(null=True)
    excerpt = models.CharField(max_length=300, blank=True)
    vector = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.kind} of video {self.video_id}"
