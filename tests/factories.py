"""A factory for every model. Published by default, so a test says when it wants a draft."""

import datetime

import factory
from factory.django import DjangoModelFactory

from kb.models import (
    Chapter,
    ChapterTranscript,
    ContentVersion,
    Credit,
    DraftPassage,
    Evidence,
    Insight,
    InsightProposal,
    Lesson,
    LessonTheme,
    LineEmphasis,
    MeaningVector,
    PendingImport,
    Person,
    PersonRedirect,
    ProposedLesson,
    Quote,
    QuoteSuggestion,
    QuoteTheme,
    Role,
    Status,
    Suggestion,
    Takeaway,
    Theme,
    ThemeRedirect,
    ThemeSuggestion,
    TranscriptSegment,
    Video,
)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"theme {n}")
    slug = factory.LazyAttribute(lambda o: o.name.replace(" ", "-"))
    description = "Advice on a career theme."
    cues = factory.LazyAttribute(lambda o: [o.name])


class VideoFactory(DjangoModelFactory):
    class Meta:
        model = Video

    title = factory.Sequence(lambda n: f"Career story number {n}")
    slug = factory.Sequence(lambda n: f"career-story-{n}")
    channel = "The Career Channel"
    published_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(n))
    duration_seconds = 3600
    status = Status.PUBLISHED


class ChapterFactory(DjangoModelFactory):
    class Meta:
        model = Chapter

    video = factory.SubFactory(VideoFactory)
    title = factory.Sequence(lambda n: f"Chapter {n}")
    start_seconds = factory.Sequence(lambda n: n * 60)


class TranscriptSegmentFactory(DjangoModelFactory):
    class Meta:
        model = TranscriptSegment

    video = factory.SubFactory(VideoFactory)
    chapter = None
    start_seconds = factory.Sequence(lambda n: float(n * 2))
    end_seconds = factory.LazyAttribute(lambda o: o.start_seconds + 2.0)
    text = factory.Faker("sentence", nb_words=7)
    exact = False


class LessonFactory(DjangoModelFactory):
    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    video = factory.SubFactory(VideoFactory)
    chapter = None
    title = factory.Sequence(lambda n: f"Lesson {n}: ask for help early")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    body = factory.Faker("paragraph")
    status = Status.PUBLISHED
    start_seconds = 120.0
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class TakeawayFactory(DjangoModelFactory):
    class Meta:
        model = Takeaway

    lesson = factory.SubFactory(LessonFactory)
    text = factory.Faker("sentence")
    position = factory.Sequence(lambda n: n)


class QuoteFactory(DjangoModelFactory):
    class Meta:
        model = Quote
        skip_postgeneration_save = True

    video = factory.SubFactory(VideoFactory)
    lesson = None
    chapter = None
    text = factory.Faker("sentence", nb_words=12)
    speaker_name = "Guest"
    start_seconds = 300.0
    end_seconds = 312.5
    status = Status.PUBLISHED

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Guest Person {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    bio = "An engineer who talks about careers."


class CreditFactory(DjangoModelFactory):
    class Meta:
        model = Credit

    video = factory.SubFactory(VideoFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.GUEST
    position = 0


class InsightFactory(DjangoModelFactory):
    class Meta:
        model = Insight
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Insight {n}: write the timeline as it happens")
    slug = factory.Sequence(lambda n: f"insight-{n}")
    summary = "Several guests keep a written timeline during incidents."
    status = Status.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.add(*extracted)


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    insight = factory.SubFactory(InsightFactory)
    lesson = factory.SubFactory(LessonFactory)
    quote = None
    position = factory.Sequence(lambda n: n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "auth.User"

    username = factory.Sequence(lambda n: f"editor{n}")


class PendingImportFactory(DjangoModelFactory):
    """An upload awaiting confirmation: previewed, its file kept on the server."""

    class Meta:
        model = PendingImport

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"talk-{n}.txt")
    digest = "0" * 64
    data = b"x"
    state = PendingImport.State.PREVIEWED


class QuoteSuggestionFactory(DjangoModelFactory):
    """A passage proposed as a lesson's quote, open."""

    class Meta:
        model = QuoteSuggestion

    lesson = factory.SubFactory(LessonFactory)
    text = factory.Faker("sentence", nb_words=12)
    start_seconds = 130.0
    end_seconds = 141.5
    score = 0.5
    rank = 1
    status = Suggestion.OPEN


class ThemeSuggestionFactory(DjangoModelFactory):
    """A theme offered to a lesson, open."""

    class Meta:
        model = ThemeSuggestion

    lesson = factory.SubFactory(LessonFactory)
    theme = factory.SubFactory(ThemeFactory)
    confidence = 0.4
    status = Suggestion.OPEN


class InsightProposalFactory(DjangoModelFactory):
    """An open proposal; `lessons=[...]` makes its members, in order."""

    class Meta:
        model = InsightProposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Proposal {n}: say no to most requests")
    signature = factory.Sequence(lambda n: f"{n:064x}")
    score = 0.7
    status = Suggestion.OPEN

    @factory.post_generation
    def lessons(self, create, extracted, **kwargs):
        if create and extracted:
            for position, lesson in enumerate(extracted):
                ProposedLessonFactory(proposal=self, lesson=lesson, position=position)


class MachineDraftFactory(LessonFactory):
    """A lesson the machine drafted from a transcript, awaiting review (with its passage:
    `passage__status=...` to decide it)."""

    status = Status.DRAFT
    machine_draft = True
    title = factory.Sequence(lambda n: f"Ask your manager how you can help {n}")
    passage = factory.RelatedFactory(
        "tests.factories.DraftPassageFactory",
        factory_related_name="lesson",
        video=factory.SelfAttribute("..video"),
        start_seconds=factory.SelfAttribute("..start_seconds"),
    )


class DraftPassageFactory(DjangoModelFactory):
    """A passage the machine drafted a lesson from; open, with no lesson unless given
    (MachineDraftFactory makes both)."""

    class Meta:
        model = DraftPassage

    video = factory.SubFactory(VideoFactory)
    lesson = None
    start_seconds = 120.0
    end_seconds = factory.LazyAttribute(lambda o: o.start_seconds + 300.0)
    title = "Ask your manager how you can help"
    score = 5.0
    status = Suggestion.OPEN


class ProposedLessonFactory(DjangoModelFactory):
    """A lesson in an insight proposal (InsightProposalFactory(lessons=[...]) makes them in
    order)."""

    class Meta:
        model = ProposedLesson

    proposal = factory.SubFactory(InsightProposalFactory)
    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n)


class LessonThemeFactory(DjangoModelFactory):
    """A lesson filed under a theme (what `LessonFactory(tags=[...])` makes through taggit)."""

    class Meta:
        model = LessonTheme

    content_object = factory.SubFactory(LessonFactory)
    tag = factory.SubFactory(ThemeFactory)


class QuoteThemeFactory(DjangoModelFactory):
    """A quote filed under a theme (what `QuoteFactory(tags=[...])` makes through taggit)."""

    class Meta:
        model = QuoteTheme

    content_object = factory.SubFactory(QuoteFactory)
    tag = factory.SubFactory(ThemeFactory)


class ThemeRedirectFactory(DjangoModelFactory):
    """An old theme address leading to `theme` (as a merge or a rename leaves)."""

    class Meta:
        model = ThemeRedirect

    old_slug = factory.Sequence(lambda n: f"old-theme-{n}")
    theme = factory.SubFactory(ThemeFactory)


class PersonRedirectFactory(DjangoModelFactory):
    """An old person address leading to `person` (as a merge or a rename leaves)."""

    class Meta:
        model = PersonRedirect

    old_slug = factory.Sequence(lambda n: f"old-person-{n}")
    person = factory.SubFactory(PersonFactory)


class ChapterTranscriptFactory(DjangoModelFactory):
    """A chapter's whole transcript as one text (the importer keeps it beside the
    segments, for search to rank chapters by)."""

    class Meta:
        model = ChapterTranscript

    chapter = factory.SubFactory(ChapterFactory)
    title = factory.SelfAttribute("chapter.title")
    text = factory.Faker("paragraph", nb_sentences=6)


class ContentVersionFactory(DjangoModelFactory):
    """The one row whose number moves with every write (the database's triggers keep it):
    got, not made twice."""

    class Meta:
        model = ContentVersion
        django_get_or_create = ["id"]

    id = 1
    version = 1


def _meaning_of(text: str) -> bytes:
    from kb.search import meaning

    return meaning.pack(meaning.embed([text])[0])


class MeaningVectorFactory(DjangoModelFactory):
    """What a lesson is about, embedded as search by meaning stores it (kind "lesson"; give
    `kind`, `quote` or `chapter` for the others)."""

    class Meta:
        model = MeaningVector

    kind = "lesson"
    lesson = factory.SubFactory(LessonFactory)
    video = factory.LazyAttribute(lambda o: o.lesson.video if o.lesson else VideoFactory())
    quote = None
    chapter = None
    start_seconds = factory.LazyAttribute(lambda o: o.lesson.start_seconds if o.lesson else None)
    excerpt = factory.LazyAttribute(lambda o: o.lesson.title[:300] if o.lesson else "")
    vector = factory.LazyAttribute(lambda o: _meaning_of(o.excerpt or o.video.title))


class LineEmphasisFactory(DjangoModelFactory):
    """A word a transcript line says more than once (what `refresh_chapter_texts` derives
    from the segments): "ship" said three times."""

    class Meta:
        model = LineEmphasis

    segment = factory.SubFactory(TranscriptSegmentFactory, text="ship it, ship it, ship it")
    chapter = factory.SelfAttribute("segment.chapter")
    word = "ship"
    said = 3
