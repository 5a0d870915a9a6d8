"""Advice across guests: insights, each a claim with the voices behind it on their
moments (what each guest says on a theme is on the theme page, kb.views.reading)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from kb import reads
from kb.cache import reads_query
from kb.models import Insight, Stance
from kb.views.reading import paginate, preview


@reads_query("page")
@require_safe
def insight_list(request):
    return render(request, "kb/insight_list.html", {"page": paginate(request, reads.insights())})


@reads_query()
@require_safe
def insight_detail(request, slug):
    insight = get_object_or_404(
        Insight.objects.visible_to(request.user).prefetch_related("themes"), slug=slug
    )
    voices = list(reads.evidence(insight, drafts=request.user.is_staff))
    response = render(
        request,
        "kb/insight_detail.html",
        {
            "insight": insight,
            "supporting": [v for v in voices if v.stance == Stance.SUPPORTS],
            "contrasting": [v for v in voices if v.stance == Stance.CONTRASTS],
            "videos": len({v.video.pk for v in voices if v.stance == Stance.SUPPORTS}),
        },
    )
    return preview(response, insight.is_published)
