"""Pages of people: everyone with something published, and all one person said."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kb.cache import reads_query
from kb.models import (
    VIDEO_LONG_FIELDS,
    Credit,
    Lesson,
    Person,
    PersonRedirect,
    Status,
    Theme,
    TranscriptSegment,
)
from kb.views.jsonld import person_json_ld
from kb.views.reading import (
    found_or_moved,
    paginate,
    published_insights,
    published_lessons,
    published_quotes,
)

TOP_THEMES = 12


def person_or_redirect(request, slug, url_name="kb:person"):
    return found_or_moved(request, Person, PersonRedirect, slug, url_name)


@reads_query("page")
@require_safe
def person_list(request):
    people = Person.objects.published().with_counts()
    return render(request, "kb/person_list.html", {"page": paginate(request, people)})


@reads_query("page")
@require_safe
def person_detail(request, slug):
    person, moved = person_or_redirect(request, slug)
    if moved:
        return moved
    if not Person.objects.published().filter(pk=person.pk).exists():
        raise Http404("Nothing this person said is published yet.")
    # What they say in each video, where its transcript says who speaks: how many lines,
    # and from when (subqueries of the credits' one query).
    theirs = TranscriptSegment.objects.filter(video=OuterRef("video_id"), speaker=person)
    credits = list(
        Credit.objects.filter(person=person, video__status=Status.PUBLISHED)
        .annotate(
            lines=Coalesce(
                Subquery(
                    theirs.values("video").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            first_said=Subquery(theirs.order_by("start_seconds").values("start_seconds")[:1]),
        )
        .select_related("video")
        .defer(*(f"video__{name}" for name in VIDEO_LONG_FIELDS))
        .order_by("-video__published_on", "video_id")
    )
    lessons = published_lessons().by(person)
    themes = (
        Theme.objects.filter(lesson_items__content_object__in=Lesson.objects.published().by(person))
        .annotate(said=Count("lesson_items", distinct=True))
        .alphabetical("-said")[:TOP_THEMES]
    )
    return render(
        request,
        "kb/person_detail.html",
        {
            "person": person,
            "credits": credits,
            "page": paginate(request, lessons),
            "quotes": published_quotes().filter(speaker=person)[:10],
            "themes": themes,
            "insights": published_insights().involving(person)[:TOP_THEMES],
            "json_ld": person_json_ld(request, person),
        },
    )
