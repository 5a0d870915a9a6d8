"""Pages of people: everyone with something published, and all one person said."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kb import reads
from kb.cache import reads_query
from kb.models import Person, TranscriptSegment
from kb.views.jsonld import person_json_ld
from kb.views.reading import found_or_moved, paginate

TOP_THEMES = 12


def person_or_redirect(request, slug, url_name="kb:person"):
    return found_or_moved(request, Person, slug, url_name)


@reads_query("page")
@require_safe
def person_list(request):
    return render(request, "kb/person_list.html", {"page": paginate(request, reads.people())})


@reads_query("page")
@require_safe
def person_detail(request, slug):
    person, moved = person_or_redirect(request, slug)
    if moved:
        return moved
    if not reads.has_published(person):
        raise Http404("Nothing this person said is published yet.")
    # What they say in each video, where its transcript says who speaks: how many lines,
    # and from when (subqueries of the credits' one query).
    theirs = TranscriptSegment.objects.filter(video=OuterRef("video_id"), speaker=person)
    credits = list(
        reads.credits_of(person).annotate(
            lines=Coalesce(
                Subquery(
                    theirs.values("video").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            first_said=Subquery(theirs.order_by("start_seconds").values("start_seconds")[:1]),
        )
    )
    return render(
        request,
        "kb/person_detail.html",
        {
            "person": person,
            "credits": credits,
            "page": paginate(request, reads.lessons().by(person)),
            "quotes": reads.quotes().filter(speaker=person)[:10],
            "themes": reads.themes_of(person, TOP_THEMES),
            "insights": reads.insights().involving(person)[:TOP_THEMES],
            "json_ld": person_json_ld(request, person),
        },
    )
