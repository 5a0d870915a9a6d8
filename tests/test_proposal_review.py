"""Deciding an insight proposal in the admin: its lessons side by side, readable (title,
takeaways, guests, video, moment), how close they are in words, Accept and Dismiss."""

import pytest
from django.contrib.admin.models import LogEntry

from kb.insights import AGREE, GROUP_MEAN
from kb.models import Insight, ProposalKind, ProposedLesson, Stance, Suggestion
from tests.factories import (
    CreditFactory,
    InsightProposalFactory,
    LessonFactory,
    PersonFactory,
    TakeawayFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def two_voices(youtube_id="abcdefghijk"):
    """Two guests of two videos giving close advice, one of them the other way round."""
    rewrite = VideoFactory(
        title="When the <Rewrite> Is Right", youtube_id=youtube_id, transcript_exact=True
    )
    CreditFactory(video=rewrite, person=PersonFactory(name="Marco Rossi"))
    small = VideoFactory(title="Shipping Small", transcript_exact=False)
    CreditFactory(video=small, person=PersonFactory(name="Aiko Tanaka"))
    first = LessonFactory(video=rewrite, title="Sometimes rewrite", start_seconds=3165.4)
    TakeawayFactory(lesson=first, text="Rewrite when the old system can't change safely.")
    TakeawayFactory(lesson=first, text="A focused rewrite beats years of patching.")
    second = LessonFactory(video=small, title="Say no to the big rewrite", start_seconds=99)
    TakeawayFactory(lesson=second, text="Replace systems gradually; keep shipping.")
    proposal = InsightProposalFactory(
        title="Sometimes the big rewrite is right",
        kind=ProposalKind.DIFFER,
        score=0.9513,
        lessons=[first, second],
    )
    ProposedLesson.objects.filter(lesson=second).update(stance=Stance.CONTRASTS)
    return proposal, first, second


def test_a_proposals_page_shows_its_lessons_side_by_side_readably(client, editor):
    proposal, first, second = two_voices()
    html = client.get(f"/admin/kb/insightproposal/{proposal.pk}/change/").content.decode()
    cards = html.split('class="voices-grid"', 1)[1].split("</article>")
    assert len(cards) == 3  # two cards, then the rest of the page
    one, other = cards[0], cards[1]
    assert f'<a href="/admin/kb/lesson/{first.pk}/change/">Sometimes rewrite</a>' in one
    assert "<strong>Marco Rossi</strong> · When the &lt;Rewrite&gt; Is Right" in one
    assert (
        '<a href="https://www.youtube.com/watch?v=abcdefghijk&amp;t=3165s" target="_blank" '
        'rel="noopener">▶ 52:45</a>' in one
    )
    assert "Rewrite when the old system can&#x27;t change safely." in one
    assert "A focused rewrite beats years of patching." in one
    assert "A different view" not in one
    assert "A different view" in other and "<strong>Aiko Tanaka</strong>" in other
    assert f'href="/videos/{second.video.slug}/transcript/#t-99"' in other
    assert "▶ ≈1:39" in other  # an estimated moment says so
    assert "Replace systems gradually; keep shipping." in other
    # Words, not the raw score.
    assert "very close" in html and ">0.9513<" not in html


def test_closeness_is_said_in_words_from_the_proposers_own_thresholds():
    from kb.admin.proposals import closeness

    assert closeness(0.9513) == "very close"
    assert closeness(0.80) == "very close"
    assert closeness(0.78) == "close"
    assert closeness(AGREE) == "close"
    assert closeness(AGREE - 0.01) == "related"
    assert closeness(GROUP_MEAN) == "related"
    assert closeness(GROUP_MEAN - 0.01) == "loosely related"


def test_the_proposals_list_says_how_close_in_words_and_names_each_lessons_guests(client, editor):
    proposal, first, second = two_voices()
    html = client.get("/admin/kb/insightproposal/").content.decode()
    assert "very close" in html and ">0.9513<" not in html
    assert f'<a href="/admin/kb/lesson/{first.pk}/change/">Sometimes rewrite</a>' in html
    assert '<span class="quiet">(Marco Rossi)</span>' in html
    assert "≠ <a" in html  # the lesson that says otherwise
    assert "(guests may disagree)" in html


def test_a_proposal_is_accepted_from_its_page_into_a_draft_insight(client, editor):
    proposal, first, second = two_voices()
    url = f"/admin/kb/insightproposal/{proposal.pk}/change/"
    assert 'name="_accept"' in client.get(url).content.decode()
    response = client.post(url, {"_accept": "Accept"})
    insight = Insight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/kb/insight/{insight.pk}/change/"
    proposal.refresh_from_db()
    assert proposal.status == Suggestion.ACCEPTED and proposal.insight == insight
    assert [e.lesson for e in insight.evidence.order_by("position")] == [first, second]
    assert LogEntry.objects.filter(change_message="Accepted (on its page)").exists()
    # Decided: no buttons, and a second click makes nothing.
    assert 'name="_accept"' not in client.get(url).content.decode()
    client.post(url, {"_accept": "Accept"})
    assert Insight.objects.count() == 1


def test_a_proposal_is_dismissed_from_its_page_and_the_queue_comes_next(client, editor):
    proposal, _, _ = two_voices()
    url = f"/admin/kb/insightproposal/{proposal.pk}/change/"
    response = client.post(url, {"_dismiss": "Dismiss"})
    assert response["Location"] == "/admin/kb/insightproposal/?status__exact=open"
    proposal.refresh_from_db()
    assert proposal.status == Suggestion.DISMISSED
    assert not Insight.objects.exists()


# A proposal's page: the session, the user, the proposal, its lessons (video and lesson
# joined), their people, their takeaways, their videos' credits (people joined), and the
# user's permissions (two: own and groups').
PROPOSAL_PAGE_QUERIES = 9
# The proposals list: the session, the user, the permissions (two), the theme filter's
# choices, the count twice (filtered, then all), the page of proposals, and for the page
# at once: their lessons, people, takeaways and credits.
PROPOSAL_LIST_QUERIES = 12


def test_the_proposal_pages_run_the_same_queries_whatever_the_data_size(
    client, editor, django_assert_num_queries
):
    proposal, _, _ = two_voices()
    page = f"/admin/kb/insightproposal/{proposal.pk}/change/"
    client.get(page)
    with django_assert_num_queries(PROPOSAL_PAGE_QUERIES):
        client.get(page)
    with django_assert_num_queries(PROPOSAL_LIST_QUERIES):
        client.get("/admin/kb/insightproposal/")
    for n in range(3):  # more lessons in the proposal, more takeaways, more proposals
        lesson = LessonFactory()
        CreditFactory(video=lesson.video)
        TakeawayFactory(lesson=lesson)
        ProposedLesson.objects.create(proposal=proposal, lesson=lesson, position=9)
        two_voices(youtube_id=f"abcdefghij{n}")
    with django_assert_num_queries(PROPOSAL_PAGE_QUERIES):
        client.get(page)
    with django_assert_num_queries(PROPOSAL_LIST_QUERIES):
        client.get("/admin/kb/insightproposal/")
