"""Draft lessons from a transcript alone (issue 42): a talk with no summary becomes machine
drafts, each a passage with the guest's own advice on its moments; readers never see one;
editors accept, edit or dismiss each, and a dismissed passage is never proposed again."""

import io
import re
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from kb.importers.drafts import Line, Talk, cues, draft, wording
from kb.importers.drafts.topics import MAX_PASSAGE, MIN_PASSAGE
from kb.models import DraftPassage, Lesson, Status, Suggestion, Video
from kb.search import meaning
from tests.factories import LessonFactory, MachineDraftFactory, ThemeFactory
from tests.helpers import NEGOTIATION, PROMOTION
from tests.helpers import import_video as run

pytestmark = pytest.mark.django_db

GUEST, HOST = "Dana Okafor", "Sam"

STORY = [
    "I was working at a bank back then, and we had a terrible quarter.",
    "My first manager had a red stapler that nobody was allowed to touch.",
    "We moved offices three times in one year, which was chaos.",
]
# Said by the host: advice-sounding, never a takeaway (the host's question, a sponsor).
HOST_ADVICE = "You should always negotiate, my advice to listeners is to ask early, right?"
SPONSOR = (
    "This episode is brought to you by Ledgerly, the budget app for teams. "
    "Use the code CAREER for 20% off at ledgerly.com/career."
)


def clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02}:{seconds % 3600 // 60:02}:{seconds % 60:02}"


def episode() -> str:
    """A speaker-labelled transcript we wrote: a teaser, the host's introduction and a
    sponsor read, then two topics (promotion, then negotiation), each a host question
    and the guest's answers, a sponsor read between them, the outro."""
    turns = [
        (0, GUEST, "Make sure you never stop asking for the next level of work."),
        (20, HOST, f"Welcome to the show. My guest today is {GUEST}, who coaches engineers."),
        (45, HOST, SPONSOR),
        (75, HOST, f"{GUEST}, thank you so much for being here, welcome to the podcast."),
        (82, GUEST, "Thanks for having me, Sam."),
    ]
    at = 90
    for topic, question in ((PROMOTION, "How should people go after a promotion?"),
                            (NEGOTIATION, "What about negotiating a job offer?")):  # fmt: skip
        turns.append((at, HOST, f"{question} {HOST_ADVICE}"))
        at += 15
        for round_ in range(6):
            said = [topic[(round_ * 2 + k) % len(topic)] for k in range(3)]
            if round_ == 1:
                said.insert(1, STORY[round_ % len(STORY)])
            turns.append((at, GUEST, " ".join(said)))
            at += 55
            turns.append((at, HOST, "That makes sense. Tell me more about that."))
            at += 10
        turns.append((at, HOST, SPONSOR))
        at += 120
    turns.append((at, HOST, "We've reached our lightning round. What book do you recommend?"))
    turns.append((at + 10, GUEST, "You should read every book about negotiation you can find."))
    body = "\n\n".join(f"{who} ({clock(start)}):\n{text}" for start, who, text in turns)
    return (
        "---\nguest: Dana Okafor\ntitle: 'Getting promoted and paid | Dana Okafor'\n"
        "video_id: DanaOkafor1\npublish_date: 2025-03-04\nchannel: The Career Ladder\n---\n\n"
        f"# Getting promoted and paid\n\n## Transcript\n\n{body}\n"
    )


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "dana.md"
    path.write_text(episode(), encoding="utf-8")
    code, out, err = run(path)
    assert code == 0, err
    return Video.objects.get(youtube_id="DanaOkafor1"), out


def said_by_guest(text: str) -> bool:
    """A takeaway is the guest's words, lightly trimmed: one or two of their sentences."""
    return any(sentence.rstrip(".") in text for sentence in PROMOTION + NEGOTIATION)


# ---------------------------------------------------------------- the drafting itself


def test_a_speaker_transcript_becomes_drafts_of_the_guests_advice_on_their_moments(imported):
    video, out = imported
    lessons = list(video.lessons.prefetch_related("takeaways", "people").order_by("position"))
    assert re.search(rf"imported {video.slug}: .*\b{len(lessons)} lessons drafted\b", out)
    assert len(lessons) == 2, [lesson.title for lesson in lessons]
    segments = list(video.segments.values_list("start_seconds", "end_seconds", "text"))
    for lesson, topic in zip(lessons, (PROMOTION, NEGOTIATION), strict=True):
        assert lesson.machine_draft and lesson.status == Status.DRAFT
        takeaways = list(lesson.takeaways.all())
        assert 2 <= len(takeaways) <= 5
        for takeaway in takeaways:
            # The guest's own words, from this passage's topic, on the moment they say them.
            assert any(s.rstrip(".") in takeaway.text for s in topic), takeaway.text
            said = [t for s, e, t in segments if s <= takeaway.start_seconds < e]
            assert said and takeaway.text.split()[0].lower() in said[0].lower()
            assert "Ledgerly" not in takeaway.text and "listeners" not in takeaway.text
        assert [p.name for p in lesson.people.all()] == [GUEST]
        # The title is a few words of the passage's advice, not a fragment.
        assert 3 <= len(lesson.title.split()) <= 9 and lesson.title[0].isupper()
        assert lesson.title.split()[-1].lower() not in cues.ENDS_WEAK
        # The suggested quote is verbatim, with its start and end.
        quote = lesson.suggestions.get()
        assert quote.text in " ".join(t for _, _, t in segments)
        assert quote.start_seconds < quote.end_seconds
    # Nothing from the teaser, the host or the lightning round is a takeaway.
    everything = " ".join(t.text for lesson in lessons for t in lesson.takeaways.all())
    assert "never stop asking" not in everything and "read every book" not in everything
    passages = list(DraftPassage.objects.filter(video=video).order_by("start_seconds"))
    assert [p.lesson for p in passages] == lessons
    assert all(p.status == Suggestion.OPEN for p in passages)


def lines_of(turns: list[tuple[float, str, str]], end: float) -> list[Line]:
    starts = [start for start, _, _ in turns] + [end]
    return [Line(start, starts[n + 1], text, who) for n, (start, who, text) in enumerate(turns)]


def talk_of(topics, *, speakers: bool = True, chapters=(), seconds_per_turn=40.0) -> Talk:
    """A talk of several topics, each the guest's sentences in turns after a question."""
    turns, at = [], 0.0
    for sentences in topics:
        turns.append((at, HOST if speakers else "", f"Tell us about this. {HOST_ADVICE}"))
        at += 10
        for n in range(8):
            said = " ".join(sentences[(n + k) % len(sentences)] for k in range(2))
            turns.append((at, GUEST if speakers else "", said))
            at += seconds_per_turn
    return Talk(
        lines_of(turns, at),
        chapters=list(chapters),
        guests=frozenset({GUEST}) if speakers else frozenset(),
        hosts=frozenset({HOST}) if speakers else frozenset(),
    )


def test_passages_follow_where_the_topic_shifts():
    topics = [PROMOTION, NEGOTIATION, PROMOTION]
    found = draft(talk_of(topics, seconds_per_turn=50.0), meaning.embed)
    # Three topics of about 7 minutes: a draft each, cut where the host turns to the next.
    assert len(found) == 3
    for one, start in zip(found, (0, 410, 820), strict=True):
        assert abs(one.start_seconds - start) <= 60, [d.start_seconds for d in found]
    assert all(MIN_PASSAGE <= d.end_seconds - d.start_seconds <= MAX_PASSAGE
               for d in found)  # fmt: skip


def test_real_chapters_are_the_passages_and_give_the_titles():
    chapters = [(0, "Asking for the promotion"), (330, "Negotiating the offer")]
    found = draft(talk_of([PROMOTION, NEGOTIATION], chapters=chapters), meaning.embed)
    assert [(d.start_seconds, d.title) for d in found] == [
        (0, "Asking for the promotion"),
        (330, "Negotiating the offer"),
    ]
    generic = [(0, "Part 1"), (330, "Part 2")]
    titles = [d.title for d in draft(talk_of([PROMOTION, NEGOTIATION], chapters=generic),
                                     meaning.embed)]  # fmt: skip
    assert titles and not any(t.startswith("Part") for t in titles)


def test_with_only_the_words_advice_is_told_from_stories_and_sponsor_reads():
    sentences = [*PROMOTION, *STORY, SPONSOR]
    turns = [(n * 20.0, "", sentence) for n, sentence in enumerate(sentences * 2)]
    found = draft(Talk(lines_of(turns, len(turns) * 20.0)), meaning.embed)
    assert found
    for takeaway in (t for d in found for t in d.takeaways):
        assert said_by_guest(takeaway.text), takeaway.text


def test_auto_captions_are_read_in_whole_phrases_between_pauses():
    """yt-dlp's captions (ours, in samples/): lower case, no full stops, a phrase cut into
    cues. A takeaway is the phrase said between two pauses, on its first cue's moment, not
    a cue's fragment; the video's real chapters title the drafts."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "samples" / "yt-dlp"
    code, out, err = run(folder)
    assert code == 0, err
    assert re.search(r"imported writing-your-first-design-doc: .*\b2 lessons drafted", out)
    video = Video.objects.get()
    chapters = set(video.chapters.values_list("title", flat=True))
    lessons = list(video.lessons.prefetch_related("takeaways").order_by("position"))
    assert all(lesson.title in chapters for lesson in lessons)
    said = {t.text: t.start_seconds for lesson in lessons for t in lesson.takeaways.all()}
    assert said["Spend the first page on the problem who has it and what it costs them."] == (66.9)
    assert all(len(text.split()) >= cues.TAKEAWAY_MIN_WORDS for text in said)


def test_takeaways_are_lightly_trimmed_and_cased_as_sentences():
    assert wording.trim("so, um, you know, i think that you should ask early") == (
        "You should ask early."
    )
    assert wording.trim("And I mean, the key is to, uh, write it down.") == (
        "The key is to write it down."
    )


def test_a_monstrous_line_is_drafted_in_bounded_time():
    """A 100,000-letter word and control characters in two hours of speech: the model reads
    its first tokens only, no takeaway or title holds the word, and it is quick."""
    monster = "a" * 100_000
    turns = [(0.0, HOST, "Welcome.")]
    for n in range(720):
        text = PROMOTION[n % len(PROMOTION)]
        if n % 97 == 0:
            text = f"\x0b\x1b[31m{monster} {text}\x01"
        turns.append((10.0 + n * 10, GUEST, text))
    talk = Talk(lines_of(turns, 7300.0), guests=frozenset({GUEST}), hosts=frozenset({HOST}))
    started = time.perf_counter()
    found = draft(talk, meaning.embed)
    assert time.perf_counter() - started < 20
    assert found
    for one in found:
        for text in [one.title, one.quote.text, *(t.text for t in one.takeaways)]:
            assert "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" not in text
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def test_the_admins_upload_drafts_too_and_the_video_lists_what_waits(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("dana.md", episode().encode("utf-8"))
    response = client.post("/admin/kb/video/import/", {"file": upload, "format": "auto"})
    assert "2 lessons drafted" in response.content.decode()
    assert not Lesson.objects.exists()  # the preview stores nothing
    job = response.context["job"].pk
    response = client.post("/admin/kb/video/import/", {"upload": job, "confirm": "1"})
    video = Video.objects.get()
    assert response["Location"] == f"/admin/kb/video/{video.pk}/change/"
    assert video.lessons.filter(machine_draft=True).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert page.count("a machine draft to review") == 2


# ---------------------------------------------------------------- drafts are drafts


def test_a_summary_page_drafts_nothing(seed_path):
    code, out, err = run(seed_path)
    assert code == 0, err
    assert "drafted" not in out
    assert not Lesson.objects.filter(machine_draft=True).exists()
    assert Lesson.objects.filter(machine_draft=False).count() > 1  # the page's own lessons


def test_a_machine_draft_cannot_be_published_by_any_path():
    lesson = MachineDraftFactory()
    lesson.status = Status.PUBLISHED
    with pytest.raises(IntegrityError), transaction.atomic():
        lesson.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk).update(status=Status.PUBLISHED)


def test_readers_never_see_a_machine_draft_even_in_a_published_video(client, imported):
    video, _ = imported
    video.status = Status.PUBLISHED
    video.save()
    theme = ThemeFactory(name="promotion")
    lesson = video.lessons.order_by("position").first()
    lesson.title = "Secret machine draft"  # as an editor edits it, still a draft
    lesson.save()
    lesson.tags.add(theme)
    LessonFactory(title="A published lesson", tags=[theme])
    secrets = ["Secret machine draft", lesson.get_absolute_url(), lesson.slug]
    for url in [
        "/", "/lessons/", "/lessons/?tag=promotion", "/themes/", "/themes/promotion/",
        video.get_absolute_url(), "/search/?q=secret+machine+draft", "/search/?q=promotion",
        "/feeds/lessons/", "/themes/promotion/feed/", "/sitemap.xml",
        "/people/dana-okafor/", "/api/v1/lessons?limit=100", "/api/v1/search?q=promotion",
        f"/api/v1/videos/{video.slug}", "/api/v1/themes/promotion",
    ]:  # fmt: skip
        body = client.get(url).content.decode()
        assert client.get(url).status_code == 200, url
        for secret in secrets:
            assert secret not in body, (url, secret)
    assert client.get(lesson.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/lessons/{lesson.slug}").status_code == 404


def test_lessons_stay_searchable_after_the_migration_that_marks_machine_drafts():
    """SQLite rebuilds the lessons' table to add `machine_draft`, dropping the triggers that
    keep its full-text index current: every searched table must still have them."""
    from django.db import connection

    from kb.search import schema

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index is a generated column: nothing to rebuild")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    expected = {f"{i.fts}_{op}" for i in schema.INDEXED for op in ("ai", "ad", "au")}
    assert expected <= present, sorted(expected - present)
    LessonFactory(title="Negotiate the equity in writing")
    from kb.search import search

    assert [hit.lesson.title for hit in search("equity").lessons] == [
        "Negotiate the equity in writing"
    ]


# ---------------------------------------------------------------- editors decide


def test_an_editor_accepts_one_draft_and_dismisses_another(
    client, editor, imported, django_capture_on_commit_callbacks
):
    video, _ = imported
    kept, dropped = video.lessons.order_by("position")
    change = f"/admin/kb/lesson/{kept.pk}/change/"
    page = client.get(change).content.decode()
    assert "Drafted by the machine" in page and 'value="accept"' in page

    form = client.get(change).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(_management_forms(client.get(change).context))
    data.update(title="Write your own promotion packet", status=Status.DRAFT)
    data["tags"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, {**data, "_decide_draft": "accept"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.title == "Write your own promotion packet" and not kept.machine_draft
    assert kept.draft_passage.status == Suggestion.ACCEPTED
    assert meaning_rows(kept)  # now what search and insights compare

    response = client.post(
        "/admin/kb/lesson/",
        {"action": "dismiss_drafts", "_selected_action": [dropped.pk, kept.pk]},
    )
    assert response.status_code == 302
    assert not Lesson.objects.filter(pk=dropped.pk).exists()
    assert Lesson.objects.filter(pk=kept.pk).exists()  # accepted: not a machine draft now
    dismissed = DraftPassage.objects.get(status=Suggestion.DISMISSED)
    assert dismissed.lesson is None and dismissed.video == video

    # Drafting again proposes neither passage: one accepted, one dismissed.
    out = io.StringIO()
    call_command("draft_lessons", video.slug, stdout=out)
    assert "drafted 0 lessons" in out.getvalue() and "2 passages kept" in out.getvalue()
    assert list(video.lessons.all()) == [kept]


def meaning_rows(lesson) -> int:
    from kb.models import MeaningVector

    return MeaningVector.objects.filter(lesson=lesson).count()


def _management_forms(context) -> dict:
    data = {}
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[f"{form.prefix}-{name}"] = value
    return data


def test_publishing_leaves_machine_drafts_for_review(client, editor):
    draft_lesson = MachineDraftFactory()
    response = client.post(
        "/admin/kb/lesson/", {"action": "publish", "_selected_action": [draft_lesson.pk]},
        follow=True,
    )  # fmt: skip
    assert "machine drafts: accept each first" in response.content.decode()
    draft_lesson.refresh_from_db()
    assert draft_lesson.status == Status.DRAFT and draft_lesson.machine_draft


def test_draft_lessons_replaces_open_drafts_and_keeps_edited_ones(imported):
    video, _ = imported
    first, second = video.lessons.order_by("position")
    first.takeaways.update(text="An editor rewrote this takeaway.")
    out = io.StringIO()
    call_command("draft_lessons", video.slug, "--dry-run", stdout=out)
    assert "would draft 1 lesson" in out.getvalue()
    assert set(video.lessons.all()) == {first, second}  # a dry run stores nothing
    call_command("draft_lessons", video.slug, stdout=io.StringIO())
    lessons = list(video.lessons.order_by("position"))
    assert lessons[0] == first and second not in lessons and len(lessons) == 2
    assert first.takeaways.first().text == "An editor rewrote this takeaway."


def test_draft_lessons_names_what_is_wrong():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no video with the slug 'nope'"):
        call_command("draft_lessons", "nope")
    deleted = DraftPassage.objects.create(
        video=MachineDraftFactory().video, start_seconds=0, end_seconds=200, title="Gone"
    )
    assert deleted.decided  # a draft deleted by hand counts as dismissed
