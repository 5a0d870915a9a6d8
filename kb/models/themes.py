"""Themes: the vocabulary lessons and quotes are filed under, and the filing itself."""

from django.db import models
from django.db.models import Case, Prefetch, Value, When
from django.db.models.functions import Lower
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from kb.models.base import slug_url


class ThemeQuerySet(models.QuerySet):
    def alphabetical(self, *first):
        """By name as a reader reads it: "asking for help" before "Prioritization"."""
        return self.order_by(*first, Lower("name"), "name")

    def with_count_values(self, lessons: dict[int, int], quotes: dict[int, int]):
        def value_of(counts):
            return Case(
                *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
                default=Value(0),
                output_field=models.IntegerField(),
            )

        return self.annotate(lesson_count=value_of(lessons), quote_count=value_of(quotes))


class ThemeManager(NaturalKeyManager.from_queryset(ThemeQuerySet)):
    pass


class Theme(TagBase):
    """A career theme (a taggit tag) that lessons and quotes are filed under."""

    description = models.TextField(blank=True)
    cues = models.JSONField(
        default=list,
        blank=True,
        help_text="Words and phrases that suggest this theme when found in a lesson.",
    )

    objects = ThemeManager()

    class Meta:
        ordering = [Lower("name"), "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="kb_theme_name_ci_unique"),
        ]

    def get_absolute_url(self):
        return slug_url("kb:theme", self.slug)


def themes_of(item) -> list[Theme]:
    """A lesson's or quote's themes by name: given by `kb.kept.give_themes`, or the links
    `with_themes()` preloaded (as `theme_links`), else one query."""
    themes = getattr(item, "given_themes", None)
    if themes is None:
        links = getattr(item, "theme_links", None)
        themes = [link.tag for link in links] if links is not None else list(item.tags.all())
    return sorted(themes, key=lambda theme: theme.name.lower())


def with_theme_links(queryset, links_model):
    """`queryset` with each row's theme links and their themes in one query, for
    `themes_of`; cheaper than taggit's own `prefetch_related("tags")`."""
    links = links_model.objects.select_related("tag")
    name = f"{links_model._meta.model_name}_set"
    return queryset.prefetch_related(Prefetch(name, links, to_attr="theme_links"))


class LessonTheme(TaggedItemBase):
    content_object = models.ForeignKey("Lesson", on_delete=models.CASCADE)
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="lesson_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="kb_lessontheme_unique")
        ]


class QuoteTheme(TaggedItemBase):
    content_object = models.ForeignKey("Quote", on_delete=models.CASCADE)
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="quote_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="kb_quotetheme_unique")
        ]


class ThemeRedirect(models.Model):
    """An old theme address that now leads to another theme (after a merge or a rename)."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="redirects")

    def __str__(self):
        return f"/themes/{self.old_slug}/ → {self.theme.slug}"
