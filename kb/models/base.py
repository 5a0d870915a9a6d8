"""What every model shares: the status readers see, slugs and their URLs, the readers'
querysets (`published()`, `visible_to()`), and writing many rows at once (`insert_rows`)."""

import functools
from collections.abc import Iterable
from itertools import islice
from urllib.parse import quote

from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import slugify


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


@functools.cache
def _slug_pattern(name: str, prefix: str) -> str:
    return reverse(name, kwargs={"slug": "__slug__"})


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`, at a fraction of the cost: list pages make
    hundreds of these. Quoted as `reverse` quotes."""
    return _slug_pattern(name, get_script_prefix()).replace(
        "__slug__", quote(slug, safe=RFC3986_SUBDELIMS + "/~:@")
    )


def unique_slug(model, text: str, fallback: str, max_length: int = 80) -> str:
    """A slug for `text` not yet used by `model` (suffixed -2, -3... on collision).

    Slugs are assigned once and then kept, so links stay stable when a title is edited.
    """
    base = slugify(text)[:max_length].strip("-") or fallback
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def insert_rows(model, rows: Iterable[dict], batch_size: int = 2000) -> None:
    """Insert rows of `model`, each a dict of field names (attnames: `video_id`) to values,
    any field left out taking its default: `bulk_create` without a model instance a row or
    the pks back. For the tens of thousands of rows an import writes at once (a
    transcript's lines, its meaning windows), where making and compiling each instance
    costs more than the database's work. Many rows a statement, as bulk_create writes them:
    PostgreSQL's statement triggers (kb.triggers) run once a statement. All or nothing, no
    signals, as with bulk_create. Only for models whose defaults are plain values (none
    made a row at a time: a callable, a database default, auto_now)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    if made := [f.name for f in fields if _made_per_row(f)]:
        raise TypeError(f"{model.__name__}.{made[0]} is filled a row at a time: use bulk_create")
    connection = connections[router.db_for_write(model)]
    if connection.features.max_query_params:
        batch_size = max(1, min(batch_size, connection.features.max_query_params // len(fields)))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = f"({', '.join(['%s'] * len(fields))})"
    defaults = {f.attname: f.get_default() for f in fields}
    rows = iter(rows)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        while chunk := list(islice(rows, batch_size)):
            for row in chunk:
                if not row.keys() <= defaults.keys():
                    unknown = sorted(row.keys() - defaults.keys())
                    raise ValueError(f"{model.__name__} has no field {unknown}")
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",
                [
                    f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection)
                    for row in chunk
                    for f in fields
                ],
            )


def _made_per_row(field) -> bool:
    return (
        (field.has_default() and callable(field.default))
        or field.db_default is not models.NOT_PROVIDED
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


# A video's long texts: only its own page shows them, never a list of its lessons or quotes.
VIDEO_LONG_FIELDS = ("description", "intro", "conclusion", "resources", "imported")


class ReaderQuerySet(models.QuerySet):
    """`published()` says what readers may see; staff may also preview drafts."""

    def visible_to(self, user):
        return self.all() if user.is_staff else self.published()

    def with_video(self, *related):
        """Joined with their video (and `related`), leaving out the video's long texts."""
        return self.select_related("video", *related).defer(
            *(f"video__{name}" for name in VIDEO_LONG_FIELDS)
        )


class ThemedQuerySet(ReaderQuerySet):
    """Lessons and quotes: filed under themes."""

    def under(self, theme):
        """Those filed under `theme`. A test of each row's link, not a join: in date order
        the first page is found after a few rows, where joining a theme's thousands of
        links meant sorting them all (SQLite; PostgreSQL plans both alike)."""
        links = self.model.tags.through.objects.filter(content_object_id=OuterRef("pk"))
        return self.filter(Exists(links.filter(tag=theme)))


def count_per(published: models.QuerySet, field: str):
    """How many rows of `published` point at the outer row through `field`: a subquery,
    so a list counts for every row at once, from readers' own definition of visible."""
    per_row = (
        published.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(per_row), 0)
