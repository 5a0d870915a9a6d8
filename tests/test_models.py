"""The data model's rules: constraints, visibility, slugs and URLs."""

import pytest
from django.db import IntegrityError, transaction

from kb.models import (
    Chapter,
    Lesson,
    PendingImport,
    Quote,
    Status,
    Takeaway,
    Theme,
    TranscriptSegment,
    Video,
    insert_rows,
    unique_slug,
)
from tests.factories import (
    ChapterFactory,
    LessonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)
    return True


def test_two_chapters_of_a_video_cannot_start_at_the_same_second():
    chapter = ChapterFactory(start_seconds=90)
    assert refused(ChapterFactory, video=chapter.video, start_seconds=90)
    ChapterFactory(start_seconds=90)  # another video may


def test_times_cannot_be_negative_or_run_backwards():
    video = VideoFactory()
    assert refused(TranscriptSegmentFactory, video=video, start_seconds=-1.0, end_seconds=1.0)
    assert refused(TranscriptSegmentFactory, video=video, start_seconds=10.0, end_seconds=9.0)
    assert refused(QuoteFactory, video=video, start_seconds=10.0, end_seconds=9.5)
    assert refused(LessonFactory, video=video, start_seconds=-3.0)


def test_status_must_be_draft_or_published():
    assert refused(LessonFactory, status="archived")
    assert refused(VideoFactory, status="live")
    assert refused(QuoteFactory, status="")


def test_an_empty_quote_is_refused():
    assert refused(QuoteFactory, text="")


def test_youtube_ids_are_unique_when_known():
    VideoFactory(youtube_id="dQw4w9WgXcQ")
    assert refused(VideoFactory, youtube_id="dQw4w9WgXcQ")
    VideoFactory(youtube_id="")
    VideoFactory(youtube_id="")  # unknown ids do not collide


def test_slugs_are_unique():
    video = VideoFactory(slug="staff-promo")
    assert refused(VideoFactory, slug="staff-promo")
    LessonFactory(slug="ask-for-help", video=video)
    assert refused(LessonFactory, slug="ask-for-help")


def test_theme_names_are_unique_whatever_their_case():
    ThemeFactory(name="Negotiation", slug="negotiation")
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(name="negotiation", slug="negotiation-2")


def test_tagging_reuses_a_theme_written_in_another_case():
    ThemeFactory(name="Negotiation", slug="negotiation")
    themes = Theme.objects.count()
    lesson = LessonFactory()
    lesson.tags.add("NEGOTIATION")
    assert list(lesson.tags.values_list("name", flat=True)) == ["Negotiation"]
    assert Theme.objects.count() == themes


def test_unique_slug_suffixes_collisions_and_falls_back_for_unsluggable_titles():
    VideoFactory(slug="staff-eng-meta")
    VideoFactory(slug="staff-eng-meta-2")
    assert unique_slug(Video, "Staff Eng @ Meta", "video") == "staff-eng-meta-3"
    assert unique_slug(Video, "A brand new title", "video") == "a-brand-new-title"
    assert unique_slug(Video, "🚀🚀", "video") == "video"
    assert len(unique_slug(Lesson, "word " * 100, "lesson")) <= 80


def test_published_hides_drafts_and_everything_in_a_draft_video():
    live = VideoFactory()
    draft_video = VideoFactory(status=Status.DRAFT)
    shown = LessonFactory(video=live)
    LessonFactory(video=live, status=Status.DRAFT)
    LessonFactory(video=draft_video)  # published lesson, but its video is a draft
    shown_quote = QuoteFactory(video=live)
    QuoteFactory(video=live, status=Status.DRAFT)
    QuoteFactory(video=draft_video)
    shown_takeaway = TakeawayFactory(lesson=shown)
    TakeawayFactory(lesson=LessonFactory(video=live, status=Status.DRAFT))
    shown_segment = TranscriptSegmentFactory(video=live)
    TranscriptSegmentFactory(video=draft_video)
    shown_chapter = ChapterFactory(video=live)
    ChapterFactory(video=draft_video)

    assert list(Video.objects.published()) == [live]
    assert list(Lesson.objects.published()) == [shown]
    assert list(Quote.objects.published()) == [shown_quote]
    assert list(Takeaway.objects.published()) == [shown_takeaway]
    assert list(TranscriptSegment.objects.published()) == [shown_segment]
    assert list(Chapter.objects.published()) == [shown_chapter]


def test_every_model_with_a_page_knows_its_url():
    video = VideoFactory(slug="staff-eng")
    lesson = LessonFactory(video=video, slug="ask-for-help")
    theme = ThemeFactory(name="promotion", slug="promotion")
    chapter = ChapterFactory(video=video, start_seconds=3165)
    quote = QuoteFactory(video=video)
    assert video.get_absolute_url() == "/videos/staff-eng/"
    assert lesson.get_absolute_url() == "/lessons/ask-for-help/"
    assert theme.get_absolute_url() == "/themes/promotion/"
    assert chapter.get_absolute_url() == "/videos/staff-eng/transcript/#t-3165"
    assert quote.get_absolute_url() == f"/quotes/{quote.pk}/"
    assert quote.in_video_url == f"/videos/staff-eng/#quote-{quote.pk}"


def test_string_forms_are_readable():
    video = VideoFactory(title="Staff Eng @ Meta", duration_seconds=7036)
    assert str(video) == "Staff Eng @ Meta"
    assert video.duration_display == "1:57:16"
    assert str(ChapterFactory(video=video, title="Staff promo", start_seconds=3165)) == (
        "52:45 Staff promo"
    )
    assert str(QuoteFactory(video=video, text="Ask for help.")) == "Ask for help."  # admin adds “”


def test_slug_stays_when_a_title_is_edited():
    lesson = LessonFactory(title="Ask for help", slug="ask-for-help")
    lesson.title = "Ask for help early and often"
    lesson.save()
    lesson.refresh_from_db()
    assert lesson.slug == "ask-for-help"


def test_fast_urls_match_reverse_for_any_slug():
    from django.urls import reverse

    from kb.models import slug_url

    for slug in ("plain", "ünïcode-thème", "a b", "100%"):
        assert slug_url("kb:theme", slug) == reverse("kb:theme", kwargs={"slug": slug})


def model_factories():
    from factory.django import DjangoModelFactory

    from tests import factories

    return [
        f
        for f in vars(factories).values()
        if isinstance(f, type) and issubclass(f, DjangoModelFactory) and f._meta.model
    ]


def test_every_model_has_a_factory():
    """STYLE: a factory for every model in tests/factories.py, so a test names only what
    matters to it."""
    from django.apps import apps

    made = {f._meta.get_model_class() for f in model_factories()}
    assert made  # the factories module is read
    assert set(apps.get_app_config("kb").get_models()) - made == set()


@pytest.mark.parametrize("factory", model_factories(), ids=lambda f: f.__name__)
def test_each_factory_makes_a_row_the_admin_can_name(factory):
    row = factory()
    stored = type(row).objects.get(pk=row.pk)
    assert str(stored)  # the name the admin's lists and messages show


def test_rows_written_in_bulk_take_their_defaults_and_keep_the_rules():
    """An import writes a long transcript's lines as plain rows (insert_rows): what a row
    leaves out takes its default, the database's rules still refuse a bad row (and the
    rows beside it), and a field the model lacks is a clear error that writes nothing."""
    video = VideoFactory()
    insert_rows(TranscriptSegment, [
        {"video_id": video.pk, "start_seconds": 1.5, "end_seconds": 3.0, "text": "First <b>"},
        {"video_id": video.pk, "start_seconds": 3.0, "end_seconds": 4.0, "text": "Second",
         "exact": True},
    ])  # fmt: skip
    rows = list(video.segments.order_by("start_seconds").values_list(
        "text", "exact", "chapter", "speaker"))  # fmt: skip
    assert rows == [("First <b>", False, None, None), ("Second", True, None, None)]

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(TranscriptSegment, [
            {"video_id": video.pk, "start_seconds": 5.0, "end_seconds": 6.0, "text": "ok"},
            {"video_id": video.pk, "start_seconds": -1.0, "end_seconds": 2.0, "text": "bad"},
        ])  # fmt: skip
    fine = {"video_id": video.pk, "start_seconds": 7.0, "end_seconds": 8.0, "text": "fine"}
    with pytest.raises(ValueError, match="no field \\['said'\\]"):
        insert_rows(TranscriptSegment, [fine, {**fine, "said": "hello"}])
    assert video.segments.count() == 2
    with pytest.raises(TypeError, match="a row at a time"):
        insert_rows(PendingImport, [])  # its times are stamped a row at a time
