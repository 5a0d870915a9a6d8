"""Insights: advice several videos give, proposed by the machine, decided by editors,
shown to readers with each voice on its moment."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb import insights
from kb.curation import accept_proposal, dismiss_proposal
from kb.models import Evidence, Insight, InsightProposal, Stance, Status, Suggestion
from kb.search import meaning
from tests.factories import (
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

TIMELINE = (
    "Keep a Written Incident Timeline",
    "During an outage, write down every action with its time while it happens.",
    "Write every incident action down with the time, as it happens.",
)
FLAGS = (
    "Ship Behind Feature Flags",
    "Put every new feature behind a flag from the first commit and turn it on later.",
    "Ship behind a feature flag and delete the flag soon after launch.",
)


def lesson_saying(advice, video=None, slug=None, **extra):
    title, body, takeaway = advice
    lesson = LessonFactory(
        title=title, body=body, video=video or VideoFactory(), **({"slug": slug} if slug else {}),
        **extra,
    )  # fmt: skip
    TakeawayFactory(lesson=lesson, text=takeaway)
    meaning.index_lesson(lesson)
    return lesson


def slugs_proposed():
    return [
        sorted(m.lesson.slug for m in proposal.members.select_related("lesson"))
        for proposal in InsightProposal.objects.all()
    ]


def test_the_same_advice_in_two_videos_is_proposed_with_the_central_title():
    first = lesson_saying(TIMELINE, slug="timeline-one")
    second = lesson_saying(TIMELINE, slug="timeline-two")
    lesson_saying(FLAGS, slug="flags-alone")
    made = insights.suggest().made
    assert len(made) == 1 and made[0].title == TIMELINE[0]
    assert slugs_proposed() == [sorted([first.slug, second.slug])]


def test_the_same_advice_twice_in_one_video_is_not_an_insight():
    video = VideoFactory()
    lesson_saying(TIMELINE, video=video)
    lesson_saying(TIMELINE, video=video)
    assert insights.suggest().made == []
    lesson_saying(TIMELINE)  # the same advice in a second video is one
    made = insights.suggest().made
    assert made and all(len({x.video_id for x in p.lessons.all()}) == 2 for p in made)


def test_a_dismissed_proposal_stays_dismissed_until_its_lessons_change():
    lesson_saying(TIMELINE)
    lesson_saying(TIMELINE)
    proposal = insights.suggest().made[0]
    assert dismiss_proposal(proposal)
    lesson_saying(FLAGS)  # a new import elsewhere
    again = insights.suggest()
    assert again.made == [] and again.kept == 1
    assert InsightProposal.objects.get().status == Suggestion.DISMISSED
    lesson_saying(TIMELINE)  # a third video says it too: new evidence, a new proposal
    made = insights.suggest().made
    assert len(made) == 1 and made[0].members.count() == 3


def test_an_open_proposal_no_longer_found_is_removed_and_a_decided_one_kept():
    one, two = lesson_saying(TIMELINE), lesson_saying(TIMELINE)
    insights.suggest()
    two.delete()
    insights.suggest()
    assert not InsightProposal.objects.exists()
    three = lesson_saying(TIMELINE)
    accept_proposal(insights.suggest().made[0])
    three.title = "Something else entirely"
    insights.suggest()
    assert InsightProposal.objects.get().status == Suggestion.ACCEPTED
    assert one.pk in Evidence.objects.values_list("lesson_id", flat=True)


def test_accepting_makes_a_draft_insight_with_its_evidence_in_order():
    theme = ThemeFactory(name="incidents")
    lessons = [lesson_saying(TIMELINE, tags=[theme]) for _ in range(3)]
    proposal = insights.suggest().made[0]
    insight = accept_proposal(proposal)
    assert insight.status == Status.DRAFT and insight.title == TIMELINE[0]
    assert {e.lesson for e in insight.evidence.all()} == set(lessons)
    assert list(insight.themes.all()) == [theme]
    proposal.refresh_from_db()
    assert proposal.status == Suggestion.ACCEPTED and proposal.insight == insight
    assert accept_proposal(proposal) is None  # decided once
    assert insights.suggest().made == []  # never proposed again


def test_opposite_advice_on_one_topic_is_proposed_as_a_disagreement():
    lesson_saying(
        ("Escalate Early", "Wake someone up early in an outage.",
         "Escalate early: wake one more person."),
        slug="early",
    )  # fmt: skip
    lesson_saying(
        ("Wait Before You Escalate", "Try alone with the runbook first.",
         "Don't escalate at once: try alone for an hour with the runbook."),
        slug="late",
    )  # fmt: skip
    differ = [p for p in insights.propose() if p.kind == "differ"]
    assert [sorted(p.slugs) for p in differ] == [["early", "late"]]
    accepted = accept_proposal(insights.suggest().made[-1])
    stances = list(accepted.evidence.order_by("position").values_list("stance", flat=True))
    assert stances == [Stance.SUPPORTS, Stance.CONTRASTS]


@pytest.mark.parametrize(
    "first, second, words",
    [
        ("Don't escalate at once.", "Escalate early, always.", {"escalat"}),
        ("Say no to the big rewrite.", "Rewrite it from scratch.", {"rewrit"}),
        (
            "Never run a rotation with fewer than five people.",
            "A rotation needs five people.",
            set(),
        ),
        ("Stop writing production code.", "Keep writing some code each sprint.", {"writ"}),
    ],
)
def test_opposed_reads_negation_in_the_advice(first, second, words):
    assert insights.opposed(first, second) == words


def test_suggest_insights_prints_one_line_per_proposal_and_dry_run_stores_nothing():
    lesson_saying(TIMELINE, slug="timeline-a")
    lesson_saying(TIMELINE, slug="timeline-b")
    out = io.StringIO()
    call_command("suggest_insights", "--dry-run", stdout=out)
    assert f"proposal: timeline-a timeline-b: {TIMELINE[0]}" in out.getvalue().replace(
        "timeline-b timeline-a", "timeline-a timeline-b"
    )
    assert not InsightProposal.objects.exists()
    call_command("suggest_insights", stdout=io.StringIO())
    assert InsightProposal.objects.count() == 1
    with pytest.raises(Exception, match="no theme with the slug 'nope'"):
        call_command("suggest_insights", "--theme", "nope", stdout=io.StringIO())


def test_after_an_import_only_proposals_with_its_lessons_are_made_and_others_kept():
    old = [lesson_saying(TIMELINE) for _ in range(3)]
    flags = [lesson_saying(FLAGS), lesson_saying(FLAGS)]
    flags_proposal = insights.suggest().made
    assert sorted(len(p.lesson_ids) for p in insights.propose()) == [2, 3]
    InsightProposal.objects.exclude(members__lesson=flags[0]).delete()  # as if never found
    new = lesson_saying(TIMELINE)
    made = insights.suggest(videos=[new.video_id]).made
    # The group around the new lesson has every old voice: their closeness to each other
    # (not only to the new lesson) was measured, so the fourth member passed the mean.
    assert len(made) == 1
    assert {m.lesson_id for m in made[0].members.all()} == {new.pk, *(o.pk for o in old)}
    assert InsightProposal.objects.filter(pk__in=[p.pk for p in flags_proposal]).count() == 1
    # Nothing of its own to say: an import of the flags lesson's video changes nothing.
    assert insights.suggest(videos=[VideoFactory().pk]).made == []
    assert InsightProposal.objects.count() == 2


def test_an_import_that_no_longer_agrees_removes_only_its_own_open_proposals():
    timeline = [lesson_saying(TIMELINE), lesson_saying(TIMELINE)]
    flags = [lesson_saying(FLAGS), lesson_saying(FLAGS)]
    insights.suggest()
    assert InsightProposal.objects.count() == 2
    changed = timeline[1]
    changed.title, changed.body = "Negotiate Your Salary", "Ask for the number first."
    changed.save()
    changed.takeaways.update(text="Always ask for the range before you name a number.")
    meaning.index_lesson(changed)
    assert insights.suggest(videos=[changed.video_id]).made == []
    left = InsightProposal.objects.get()
    assert {m.lesson_id for m in left.members.all()} == {f.pk for f in flags}


def test_imports_propose_insights(tmp_path):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "samples"
    out = io.StringIO()
    call_command(
        "import_video", str(samples / "calm-on-call.txt"), str(samples / "startup-on-call.txt"),
        stdout=out,
    )  # fmt: skip
    assert "new proposals for editors" in out.getvalue()
    assert InsightProposal.objects.exists()


# Pages


def voice(insight, **lesson):
    return EvidenceFactory(insight=insight, lesson=LessonFactory(**lesson))


def test_insight_page_shows_each_voice_with_person_video_moment_and_a_different_view(client):
    insight = InsightFactory(title="Write the timeline <b>as</b> it happens")
    video = VideoFactory(youtube_id="abcdefghijk", transcript_exact=True)
    person = PersonFactory(name="Aiko Tanaka")
    CreditFactory(video=video, person=person)
    lesson = LessonFactory(video=video, title="Timeline as you go", start_seconds=95)
    QuoteFactory(
        video=video,
        lesson=lesson,
        text="I write each action down",
        start_seconds=100,
        end_seconds=108.2,
    )
    EvidenceFactory(insight=insight, lesson=lesson)
    voice(insight, title="Another voice")
    EvidenceFactory(
        insight=insight, lesson=LessonFactory(title="Memory is enough"), stance=Stance.CONTRASTS
    )
    html = client.get(insight.get_absolute_url()).content.decode()
    assert "Write the timeline &lt;b&gt;as&lt;/b&gt; it happens" in html
    assert 'href="/people/aiko-tanaka/"' in html and "I write each action down" in html
    assert "https://www.youtube.com/watch?v=abcdefghijk&amp;t=100s" in html
    assert "embed/abcdefghijk?autoplay=1&amp;start=100&amp;end=109" in html
    assert "2 voices from 2 videos · 1 different view" in html
    # Where it is listed (its themes' pages, the insights list), the view is counted too;
    # a draft one is not.
    EvidenceFactory(
        insight=insight,
        lesson=LessonFactory(title="Unpublished view", status=Status.DRAFT),
        stance=Stance.CONTRASTS,
    )
    listed = client.get("/insights/").content.decode()
    assert "2 voices from 2 videos · 1 different view" in listed
    assert (
        html.index("Another voice")
        < html.index("A different view")
        < html.index("Memory is enough")
    )


def test_drafts_never_show_through_an_insight(client):
    draft = InsightFactory(status=Status.DRAFT, title="Draft insight")
    voice(draft)
    hidden = InsightFactory(title="Only draft evidence")
    voice(hidden, status=Status.DRAFT)
    shown = InsightFactory(title="Shown insight")
    voice(shown, title="Published voice")
    voice(shown, title="Draft voice", status=Status.DRAFT)
    voice(shown, title="Voice in a draft video", video=VideoFactory(status=Status.DRAFT))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404
    page = client.get(reverse("kb:insights")).content.decode()
    assert "Shown insight" in page and "Draft insight" not in page and "Only draft" not in page
    assert "1 voice from 1 video" in page
    html = client.get(shown.get_absolute_url()).content.decode()
    assert "Published voice" in html and "Draft voice" not in html and "draft video" not in html
    feed = client.get(reverse("kb:insights-feed")).content.decode()
    assert "Shown insight" in feed and "Draft insight" not in feed and "Only draft" not in feed


def test_the_sitemap_lists_published_insights_only(client):
    shown, draft = InsightFactory(), InsightFactory(status=Status.DRAFT)
    voice(shown)
    voice(draft)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert shown.get_absolute_url() in sitemap and draft.get_absolute_url() not in sitemap


def test_staff_preview_a_draft_insight(client, admin_user):
    draft = InsightFactory(status=Status.DRAFT)
    voice(draft)
    client.force_login(admin_user)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft preview" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def grow(n, theme):
    for _ in range(n):
        insight = InsightFactory(themes=[theme])
        for _ in range(3):
            video = VideoFactory()
            CreditFactory(video=video)
            lesson = LessonFactory(video=video, tags=[theme])
            QuoteFactory(video=video, lesson=lesson)
            EvidenceFactory(insight=insight, lesson=lesson)


# The pages that show insights, as captured with two insights of three voices each; the
# same at five (test_pages.py lists these pages without insights).
QUERY_LIMITS = {
    #   the content version (the page cache's key)
    #   how many insights are published
    #   the page of them, with their counts of voices and videos
    #   their themes (prefetched)
    "insights": 4,
    #   the content version
    #   the published insight, by slug
    #   its themes (prefetched)
    #   its published voices, each with its lesson or quote, video and chapter
    #   the lessons' own people (prefetched)
    #   their videos' guests (prefetched)
    #   the lessons' published quotes (prefetched)
    "insight": 7,
    # test_pages.py's theme page (with no neighbouring theme to read here), and its
    # insights' themes (prefetched)
    "theme": 15,
    #   the content version
    #   the person, by slug
    #   whether they have anything published
    #   their credits, with the videos and whether they speak in each transcript
    #   how many published lessons are theirs
    #   the themes of those lessons
    #   the published insights their lessons support, with their counts
    #   those insights' themes (prefetched)
    #   the page of their lessons, with video and chapter
    #   their themes (prefetched)
    #   their own people (prefetched)
    #   their videos' guests (prefetched)
    #   the published quotes they said, with video, chapter and lesson
    "person": 13,
    #   the content version
    #   the published lesson, by slug, with video and chapter
    #   its themes (prefetched)
    #   its own people (prefetched)
    #   its video's guests (prefetched)
    #   its takeaways (prefetched)
    #   its published quotes, with video and speaker
    #   which published lessons share its themes (kept per version: related lessons)
    #   the related lessons shown
    #   the published insights it is evidence of, with their counts
    #   those insights' themes (prefetched)
    "lesson": 11,
}


@pytest.mark.parametrize("url_name", list(QUERY_LIMITS))
def test_insight_pages_run_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries, url_name
):
    theme = ThemeFactory(name="incidents")
    grow(2, theme)
    first = Insight.objects.order_by("pk").first()
    lesson = first.evidence.select_related("lesson__video").first().lesson
    address = {
        "insights": reverse("kb:insights"),
        "insight": first.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "person": lesson.video.credits.first().person.get_absolute_url(),
        "lesson": lesson.get_absolute_url(),
    }[url_name]
    with django_assert_max_num_queries(QUERY_LIMITS[url_name]) as small:
        assert client.get(address).status_code == 200
    grow(3, theme)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(address).status_code == 200


def test_theme_page_leads_with_insights_then_what_each_guest_says(client):
    theme = ThemeFactory(name="incidents")
    insight = InsightFactory(title="Name one incident lead", themes=[theme])
    alice, bob = PersonFactory(name="Alice Example"), PersonFactory(name="Bob Example")
    for person, count in ((alice, 2), (bob, 1)):
        video = VideoFactory()
        CreditFactory(video=video, person=person)
        for n in range(count):
            lesson = LessonFactory(video=video, tags=[theme], title=f"{person.name} lesson {n}")
            EvidenceFactory(insight=insight, lesson=lesson)
    html = client.get(theme.get_absolute_url()).content.decode()
    assert html.index("Name one incident lead") < html.index("What each guest says")
    guests = html[html.index("What each guest says") : html.index("All lessons")]
    assert guests.index("Alice Example") < guests.index("Bob Example")
    assert "2 lessons" in guests and "1 lesson" in guests
    narrowed = client.get(theme.get_absolute_url() + f"?person={alice.slug}").content.decode()
    assert "What each guest says" not in narrowed


def test_lesson_and_person_pages_point_to_their_insights(client):
    insight = InsightFactory(title="Keep a timeline")
    person = PersonFactory(name="Tomas Reyes")
    video = VideoFactory()
    CreditFactory(video=video, person=person)
    lesson = LessonFactory(video=video)
    EvidenceFactory(insight=insight, lesson=lesson)
    voice(insight)
    voice(insight)
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "2 other guests say the same: Keep a timeline" in html
    assert "Keep a timeline" in client.get(person.get_absolute_url()).content.decode()


def test_theme_feed_includes_its_insights(client):
    theme = ThemeFactory(name="incidents")
    voice(InsightFactory(title="An insight on incidents", themes=[theme]), tags=[theme])
    feed = client.get(reverse("kb:theme-feed", args=[theme.slug])).content.decode()
    assert "Insight: An insight on incidents" in feed


# Admin


def test_the_proposals_queue_shows_the_evidence_and_accepts_and_dismisses(
    client, editor, migration_data, django_assert_max_num_queries
):
    person = PersonFactory(name="Aiko Tanaka")
    video = VideoFactory(title="On-call at a startup")
    CreditFactory(video=video, person=person)
    lesson_saying(TIMELINE, video=video)
    lesson_saying(TIMELINE)
    lesson_saying(FLAGS)
    lesson_saying(FLAGS)
    insights.suggest()
    url = reverse("admin:kb_insightproposal_changelist")
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Aiko Tanaka" in page
    first, second = InsightProposal.objects.order_by("pk")
    # Each proposal's page has its lessons side by side, with their videos and moments.
    pages = "".join(
        client.get(reverse("admin:kb_insightproposal_change", args=[p.pk])).content.decode()
        for p in (first, second)
    )
    assert "On-call at a startup" in pages and "2:00" in pages
    response = client.post(url, {"action": "accept", "_selected_action": [first.pk]}, follow=True)
    assert "Draft insight" in response.content.decode()
    insight = Insight.objects.get()
    assert insight.status == Status.DRAFT and insight.evidence.count() == 2
    client.post(url, {"action": "dismiss", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.status == Suggestion.DISMISSED
    change = client.get(reverse("admin:kb_insight_change", args=[insight.pk]))
    assert change.status_code == 200 and "evidence-0-lesson" in change.content.decode()


def test_insights_are_published_in_bulk_with_history(client, editor, migration_data):
    insight = InsightFactory(status=Status.DRAFT)
    voice(insight)
    client.post(
        reverse("admin:kb_insight_changelist"),
        {"action": "publish", "_selected_action": [insight.pk]},
    )
    insight.refresh_from_db()
    assert insight.status == Status.PUBLISHED
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(insight.pk)).exists()


def test_a_lesson_whose_close_neighbours_all_went_elsewhere_proposes_nothing_alone():
    """Neighbour lists are cut to the closest few, so a lesson can count another close
    that counts it out; that other one, with no agreeing link of its own left, joins no
    group. The lesson alone is no shared advice (and its score, a mean of nothing, was
    NaN: storing it failed the whole import at ten million lines)."""
    import numpy as np

    c = insights.Candidates(
        ids=np.array([10, 11, 12]),
        videos=np.array([1, 2, 3]),
        vectors=np.zeros((3, 2), dtype=np.float32),
        pieces=np.zeros((3, 2), dtype=np.float32),
        owners=np.arange(3),
        slugs=["a", "b", "c"],
        titles=["A", "B", "C"],
        words=dict.fromkeys(range(3), (set(), set())),
        themes=dict.fromkeys(range(3), set()),
    )
    # 0 counts 1 close; 1's own closest are elsewhere (below AGREE), so 1 has no link left.
    near = {0: {1: 0.9}, 1: {2: 0.3}, 2: {1: 0.3}}
    assert insights._groups(c, near) == []
    near[1] = {0: 0.9}
    (group,) = insights._groups(c, near)
    assert group.lesson_ids == [10, 11] and group.score == 0.9


def test_an_import_compares_its_own_lessons_without_embedding_the_others_again(monkeypatch):
    """Each lesson's pieces of advice (title, takeaways) are stored with its vectors, so
    proposing around an import embeds nothing: its cost does not grow with the base."""
    old = [lesson_saying(TIMELINE) for _ in range(2)]
    new = lesson_saying(TIMELINE)
    embedded = []
    real_embed = meaning.embed
    monkeypatch.setattr(meaning, "embed", lambda texts: embedded.extend(texts) or real_embed(texts))
    made = insights.suggest(videos=[new.video_id]).made
    assert {m.lesson_id for m in made[0].members.all()} == {new.pk, *(o.pk for o in old)}
    assert embedded == []


def test_lessons_stored_before_their_pieces_are_embedded_once_and_found_alike(monkeypatch):
    """A base indexed before pieces were stored gets them on its first proposal run (and
    keeps them), with the same proposals as a base that had them."""
    from kb.models import MeaningVector

    lessons = [lesson_saying(TIMELINE), lesson_saying(TIMELINE), lesson_saying(FLAGS)]
    expected = [p.signature for p in insights.propose()]
    MeaningVector.objects.filter(kind=meaning.PIECES).delete()
    assert [p.signature for p in insights.propose()] == expected
    assert MeaningVector.objects.filter(kind=meaning.PIECES).count() == len(lessons)
    monkeypatch.setattr(meaning, "embed", lambda texts: pytest.fail(f"embedded {texts}"))
    assert [p.signature for p in insights.propose()] == expected


def test_an_edited_takeaway_is_compared_as_edited():
    """An editor's change to a takeaway re-stores the lesson's pieces: a lesson whose
    title says something else agrees once its takeaway gives the same advice."""
    lesson_saying(TIMELINE)
    other = lesson_saying(("Calm Under Pressure", "Stay calm.", "Breathe before you act."))
    assert insights.propose() == []
    other.takeaways.update(text=TIMELINE[2])
    meaning.index_lesson(other)
    (proposal,) = insights.propose()
    assert other.pk in proposal.lesson_ids


def test_search_never_reads_the_pieces_of_advice():
    from kb.models import MeaningVector

    lesson = lesson_saying(TIMELINE)
    assert MeaningVector.objects.filter(kind=meaning.PIECES, lesson=lesson).exists()
    index = meaning.index()
    loaded = sum(len(index.vectors(kind)) for kind in meaning.SEARCHED)
    assert loaded == MeaningVector.objects.exclude(kind=meaning.PIECES).count() > 0


def test_a_machine_draft_is_never_part_of_a_proposal():
    lesson_saying(TIMELINE)
    draft = lesson_saying(TIMELINE)
    draft.status, draft.machine_draft = Status.DRAFT, True
    draft.save()
    assert insights.propose() == []
    draft.status, draft.machine_draft = Status.PUBLISHED, False  # an editor's lesson is
    draft.save()
    assert len(insights.propose()) == 1
