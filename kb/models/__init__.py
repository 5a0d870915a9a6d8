"""The knowledge base's data model, one module per area:

- `catalogue`: videos, chapters, the transcript, people and their credits;
- `themes`: the themes lessons and quotes are filed under;
- `lessons`: lessons, takeaways and quotes;
- `insights`: advice several videos give, and its evidence;
- `curation`: what the machine suggests for editors to decide;
- `system`: the content version, waiting imports, meaning vectors;
- `base`: what they share (status, slugs, readers' querysets).

Every public name is re-exported here: `from kb.models import Lesson` is how the rest of
the code reads them. Visibility to readers is decided in one place per model: its
queryset's `published()`.
"""

from kb.models.base import (
    VIDEO_LONG_FIELDS,
    ReaderQuerySet,
    Status,
    ThemedQuerySet,
    count_per,
    insert_rows,
    slug_url,
    unique_slug,
)
from kb.models.catalogue import (
    LONGEST_EMPHASISED_WORD,
    Chapter,
    ChapterQuerySet,
    ChapterTranscript,
    Credit,
    LineEmphasis,
    Person,
    PersonQuerySet,
    PersonRedirect,
    Role,
    TranscriptSegment,
    TranscriptSegmentQuerySet,
    Video,
    VideoQuerySet,
)
from kb.models.curation import (
    DraftPassage,
    InsightProposal,
    ProposalKind,
    ProposedLesson,
    QuoteSuggestion,
    Suggestion,
    ThemeSuggestion,
)
from kb.models.insights import Evidence, EvidenceQuerySet, Insight, InsightQuerySet, Stance
from kb.models.lessons import (
    LIST_ITEM,
    MACHINE_DRAFT_UNPUBLISHED,
    BodyBlock,
    Lesson,
    LessonQuerySet,
    Quote,
    QuoteQuerySet,
    Takeaway,
    TakeawayQuerySet,
    parse_body,
    published_quotes_of,
)
from kb.models.system import ContentVersion, MeaningVector, PendingImport
from kb.models.themes import (
    LessonTheme,
    QuoteTheme,
    Theme,
    ThemeManager,
    ThemeQuerySet,
    ThemeRedirect,
    themes_of,
    with_theme_links,
)

__all__ = [
    "BodyBlock",
    "Chapter",
    "ChapterQuerySet",
    "ChapterTranscript",
    "LineEmphasis",
    "LONGEST_EMPHASISED_WORD",
    "ContentVersion",
    "Credit",
    "DraftPassage",
    "Evidence",
    "EvidenceQuerySet",
    "Insight",
    "InsightProposal",
    "InsightQuerySet",
    "LIST_ITEM",
    "Lesson",
    "LessonQuerySet",
    "LessonTheme",
    "MACHINE_DRAFT_UNPUBLISHED",
    "MeaningVector",
    "PendingImport",
    "Person",
    "PersonQuerySet",
    "PersonRedirect",
    "ProposalKind",
    "ProposedLesson",
    "Quote",
    "QuoteQuerySet",
    "QuoteSuggestion",
    "QuoteTheme",
    "ReaderQuerySet",
    "Role",
    "Stance",
    "Status",
    "Suggestion",
    "Takeaway",
    "TakeawayQuerySet",
    "Theme",
    "ThemeManager",
    "ThemeQuerySet",
    "ThemeRedirect",
    "ThemeSuggestion",
    "ThemedQuerySet",
    "TranscriptSegment",
    "TranscriptSegmentQuerySet",
    "VIDEO_LONG_FIELDS",
    "Video",
    "VideoQuerySet",
    "count_per",
    "insert_rows",
    "parse_body",
    "published_quotes_of",
    "slug_url",
    "themes_of",
    "unique_slug",
    "with_theme_links",
]
