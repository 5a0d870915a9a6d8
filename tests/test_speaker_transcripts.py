"""Transcripts that say who is speaking (issue 38): podcast archives' Markdown with YAML
front matter, Descript/Rev/Otter exports, WebVTT voice tags. Each line keeps its speaker;
speakers become the video's people."""

import re

import pytest

from kb.importers.documents import DocumentError
from kb.importers.speakers import parse_spoken, segments
from kb.models import Credit, Person, Role, TranscriptSegment, Video
from kb.search import search
from tests.factories import ChapterFactory, PersonFactory, VideoFactory
from tests.helpers import import_video as run

pytestmark = pytest.mark.django_db

EPISODE = """---
guest: Mira Castellanos
title: 'Leaving management and going back to code | Mira Castellanos'
youtube_url: https://www.youtube.com/watch?v=MiraBack001
video_id: MiraBack001
publish_date: 2024-09-12
duration_seconds: 95.0
channel: The Career Ladder
---

# Leaving management and going back to code

## Transcript

Mira Castellanos (00:00:00):
The day I stopped managing, I slept properly for the first time in two years.

Theo (00:00:21):
Welcome to the show. My guest today is Mira Castellanos, who went from director back to
staff engineer. Mira, thank you for coming.

Mira Castellanos (00:00:40):
Thanks for having me. It was not a demotion, whatever my mother says.

Theo (00:01:10):
So what made you decide?

Mira Castellanos (00:01:15):
I missed the feeling of a problem giving way. Managers get that feeling second hand.
I wanted it first hand again, so I asked for the switch and wrote down why.

Theo (00:03:30):
That is a good place to stop. Thanks, Mira.
"""

DESCRIPT = """Speaker 1  00:00:02
So tell me about your first promotion.

Priya Raman  00:00:09
I wrote my own packet, because nobody else was going to.

Speaker 1  00:00:20
And did it work?

Priya Raman  00:00:24
The second time, yes.
"""

VOICES = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Theo>Welcome back to the show.

00:00:04.000 --> 00:00:09.000
<v Mira Castellanos>Glad to be here again.
"""


def test_an_episode_becomes_a_video_with_its_speakers_and_roles(tmp_path):
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0, err
    video = Video.objects.get()
    assert (video.youtube_id, video.title, str(video.published_on), video.channel) == (
        "MiraBack001",
        "Leaving management and going back to code | Mira Castellanos",
        "2024-09-12",
        "The Career Ladder",
    )
    assert video.transcript_exact
    first = video.segments.order_by("start_seconds").first()
    assert (first.speaker.name, first.start_seconds) == ("Mira Castellanos", 0)
    assert first.text.startswith("The day I stopped managing")
    said = dict(
        TranscriptSegment.objects.filter(start_seconds=70).values_list("speaker__name", "text")
    )
    assert said == {"Theo": "So what made you decide?"}
    roles = sorted(Credit.objects.values_list("person__name", "role"))
    assert roles == [("Mira Castellanos", Role.GUEST), ("Theo", Role.HOST)]


def test_the_speech_outruns_a_wrong_length_in_the_front_matter(tmp_path):
    spoken = parse_spoken(EPISODE)
    assert spoken.duration_seconds > 210  # the last turn starts at 3:30
    assert any("says 95 s, but the speech runs to" in m for _, m in spoken.warnings)
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    code, out, err = run(path)
    assert "warning:" in err and "says 95 s" in err
    assert Video.objects.get().duration_seconds == spoken.duration_seconds


def test_a_long_paragraph_is_cut_at_its_sentences_with_its_time_spread():
    long_turn = " ".join(f"Sentence number {n} says a few words here." for n in range(12))
    text = EPISODE.replace("So what made you decide?", long_turn)
    cut = [s for s in segments(parse_spoken(text)) if s.text.startswith("Sentence number")]
    assert len(cut) == 12 and {s.speaker for s in cut} == {"Theo"}
    assert cut[0].start_seconds == 70 and 70 < cut[1].start_seconds < cut[-1].start_seconds < 75


def test_descript_style_labels_name_who_speaks():
    spoken = parse_spoken("---\ntitle: First promotion\n---\n" + DESCRIPT)
    assert [(t.speaker, t.start_seconds) for t in spoken.turns] == [
        ("Speaker 1", 2), ("Priya Raman", 9), ("Speaker 1", 20), ("Priya Raman", 24)
    ]  # fmt: skip
    assert spoken.guests == ["Priya Raman"]
    assert any("who speaks most" in m for _, m in spoken.warnings)


def test_a_first_name_joins_the_full_name_already_on_the_channel(tmp_path):
    theo = PersonFactory(name="Theo Lindqvist")
    Credit.objects.create(
        video=VideoFactory(channel="The Career Ladder"), person=theo, role=Role.HOST, position=0
    )
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0
    assert "warning:" in err and "'Theo' read as 'Theo Lindqvist'" in err
    assert not Person.objects.filter(name="Theo").exists()
    video = Video.objects.get(youtube_id="MiraBack001")
    assert video.segments.filter(speaker=theo).count() == 3


def test_a_first_name_finds_its_full_name_on_a_channel_of_hundreds(tmp_path):
    """A podcast's archive credits hundreds of guests on one channel: the host, credited
    after all of them, is still found ("Theo" read as "Theo Lindqvist"), on SQLite and on
    PostgreSQL alike. Two people the first name could be are not guessed between."""
    video = VideoFactory(channel="The Career Ladder")
    Credit.objects.bulk_create(
        Credit(video=video, person=PersonFactory(name=f"Guest Number{n}"), role=Role.GUEST,
               position=n)
        for n in range(250)
    )  # fmt: skip
    theo = PersonFactory(name="Theo Lindqvist")
    Credit.objects.create(video=VideoFactory(channel="The Career Ladder"), person=theo,
                          role=Role.HOST, position=0)  # fmt: skip
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0 and "'Theo' read as 'Theo Lindqvist'" in err
    assert Video.objects.get(youtube_id="MiraBack001").segments.filter(speaker=theo).count() == 3
    Credit.objects.create(video=video, person=PersonFactory(name="Theo Marsh"), role=Role.GUEST,
                          position=300)  # fmt: skip
    later = EPISODE.replace("MiraBack001", "MiraLater02").replace(
        "title: 'Leaving", "title: 'Later"
    )
    path.write_text(later, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0 and "speaker 'Theo' could be any of 'Theo Lindqvist', 'Theo Marsh'" in err
    assert Video.objects.get(youtube_id="MiraLater02").segments.filter(speaker=theo).count() == 0


def test_webvtt_voice_tags_keep_their_speakers(tmp_path):
    video = VideoFactory(duration_seconds=60)
    path = tmp_path / "voices.vtt"
    path.write_text(VOICES, encoding="utf-8")
    code, out, err = run(path, "--video", video.slug)
    assert code == 0, err
    assert list(
        video.segments.order_by("start_seconds").values_list("speaker__name", flat=True)
    ) == ["Theo", "Mira Castellanos"]


@pytest.mark.parametrize(
    "change, message",
    [
        (("(00:03:30)", "(00:00:10)"), "comes after one at a later time (1:15)"),
        (("guest: Mira", "guest: [Mira"), "front matter is not YAML"),
        (("(00:01:10)", "(00:61:10)"), "not a time"),
    ],
)
def test_a_broken_transcript_is_one_error_line_and_stores_nothing(tmp_path, change, message):
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE.replace(*change), encoding="utf-8")
    code, out, err = run(path)
    assert code == 1 and err.count("\n") == 1 and err.startswith("error: ")
    assert message in err
    assert not Video.objects.exists() and not Person.objects.exists()


def test_who_speaks_survives_an_export_and_a_restore(tmp_path):
    import json

    from kb.exchange import dumps, export_data, import_data

    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    run(path)
    data = json.loads(dumps(export_data()))
    Video.objects.all().delete()
    Person.objects.all().delete()
    import_data(data)
    assert list(
        TranscriptSegment.objects.order_by("start_seconds").values_list("speaker__name", flat=True)
    )[:3] == ["Mira Castellanos", "Theo", "Mira Castellanos"]


def test_a_turn_stamped_a_second_early_starts_with_the_one_before():
    spoken = parse_spoken(EPISODE.replace("(00:01:10)", "(00:00:39)"))
    assert [t.start_seconds for t in spoken.turns][:4] == [0, 21, 40, 40]
    assert any("1 turns are stamped a little before" in m for _, m in spoken.warnings)


def test_front_matter_guests_are_people_who_speak():
    two = EPISODE.replace("guest: Mira Castellanos", "guest: Mira Castellanos 2.0 & Theo")
    assert parse_spoken(two).guests == ["Mira Castellanos", "Theo"]
    # Spelled otherwise in the front matter: the transcript's spelling, no warning.
    accented = parse_spoken(EPISODE.replace("guest: Mira Castellanos", "guest: Mira Castellanós"))
    assert accented.guests == ["Mira Castellanos"]
    assert not any("never speaks" in m or "no guest" in m for _, m in accented.warnings)
    wrong = parse_spoken(EPISODE.replace("guest: Mira Castellanos", "guest: Failure"))
    assert wrong.guests == ["Mira Castellanos"]
    assert any("'Failure' never speaks" in m for _, m in wrong.warnings)


# Another talk of the same show, its front matter copied from EPISODE's (as one public
# archive's files are): the same YouTube id and title, another guest, other words.
OTHER_TALK = EPISODE.split("---\n\n", 1)[0].replace("guest: Mira Castellanos", "guest: Jun Park")
OTHER_TALK += """---

## Transcript

Theo (00:00:00):
Welcome to the show. My guest today is Jun Park, who ran a bakery before she ran a design team.

Jun Park (00:00:30):
Bread taught me deadlines. The oven does not care how you feel about the dough.

Theo (00:01:00):
And what did the design team teach you?

Jun Park (00:01:20):
That people rise slower than bread, and you cannot turn up the heat on them.
"""


def test_another_talk_claiming_a_known_video_id_is_refused_plainly(tmp_path):
    """Two files of different talks carry one YouTube id (and title): the second is
    refused, saying the talks differ and what to correct, never suggesting --update, which
    would put one talk's words on the other's video; with --update, refused the same."""
    first = tmp_path / "first.md"
    first.write_text(EPISODE, encoding="utf-8")
    assert run(first)[0] == 0
    before = list(TranscriptSegment.objects.values_list("text", flat=True))
    other = tmp_path / "other.md"
    other.write_text(OTHER_TALK, encoding="utf-8")
    for extra in ([], ["--update"]):
        code, out, err = run(other, *extra)
        assert code == 1 and err.count("\n") == 1 and err.startswith("error: ")
        assert "the YouTube id MiraBack001 is already video 'leaving-management" in err
        assert re.search(r"is another talk: this file has the same title, but only \d% of", err)
        assert "its guest is Jun Park, that video's Mira Castellanos" in err
        # The title names Mira, who speaks in the video's transcript, not in this file.
        assert "Mira Castellanos, whom the title names, speaks in that video's transcript" in err
        assert "Correct them in the file" in err and "--update" not in err
    assert list(TranscriptSegment.objects.values_list("text", flat=True)) == before
    retitled = OTHER_TALK.replace("title: 'Leaving", "title: 'Bread and teams, not leaving")
    other.write_text(retitled.replace("| Mira Castellanos", "| Jun Park"), encoding="utf-8")
    code, out, err = run(other)
    assert code == 1 and "this file is 'Bread and teams" in err and "--update" not in err


def test_the_talk_a_title_names_replaces_a_misplaced_one_with_update(tmp_path):
    """The misplaced file came first: Jun Park's talk under Mira's title and id. Mira's own
    transcript is refused, saying which one looks misplaced and that --update, once the
    other file is corrected, puts hers in its place; --update does, with a warning."""
    other = tmp_path / "other.md"
    other.write_text(OTHER_TALK, encoding="utf-8")
    code, out, err = run(other)
    assert code == 0 and "the title names 'Mira Castellanos', who never speaks here" in err
    first = tmp_path / "first.md"
    first.write_text(EPISODE, encoding="utf-8")
    code, out, err = run(first)
    assert code == 1 and "Mira Castellanos, whom the title names, speaks in this file and " in err
    assert "that video's transcript which looks misplaced" in err and "--update puts" in err
    code, out, err = run(first, "--update")
    assert code == 0 and "warning:" in err and "this file's transcript takes its place" in err
    video = Video.objects.get(youtube_id="MiraBack001")
    assert video.segments.filter(speaker__name="Mira Castellanos").exists()
    assert not video.segments.filter(speaker__name="Jun Park").exists()


def test_the_same_talk_again_is_a_copy_or_a_new_version(tmp_path):
    """The same talk under the same id: a second copy of the file (its front matter worded
    otherwise) changes nothing, with a warning; a corrected transcript, or one under a new
    title (YouTube titles change), is a new version, which --update takes."""
    first = tmp_path / "first.md"
    first.write_text(EPISODE, encoding="utf-8")
    assert run(first)[0] == 0
    copy = tmp_path / "copy.md"
    copy.write_text(EPISODE.replace("guest: Mira Castellanos", "guest: Mira C."), encoding="utf-8")
    code, out, err = run(copy)
    assert code == 0 and out.startswith("unchanged ")
    assert "warning:" in err and "the same transcript as video 'leaving-management" in err
    corrected = EPISODE.replace("slept properly", "slept soundly").replace(
        "title: 'Leaving", "title: 'Why I left"
    )
    copy.write_text(corrected, encoding="utf-8")
    code, out, err = run(copy)
    assert code == 1 and "already has a timed transcript; use --update to replace it" in err
    assert run(copy, "--update")[0] == 0
    assert Video.objects.get().segments.filter(text__contains="slept soundly").exists()


def test_a_full_name_later_on_the_channel_names_the_person_spoken_of_shortly(tmp_path):
    first = tmp_path / "first.md"
    first.write_text(EPISODE, encoding="utf-8")
    run(first)
    theo = Person.objects.get(name="Theo")
    later = EPISODE.replace("MiraBack001", "MiraLater02").replace("Theo (", "Theo Lindqvist (")
    later = later.replace("title: 'Leaving", "title: 'Later,")
    second = tmp_path / "second.md"
    second.write_text(later, encoding="utf-8")
    code, out, err = run(second)
    assert code == 0, err
    assert "renamed them 'Theo Lindqvist'" in err
    theo.refresh_from_db()
    assert (
        theo.name == "Theo Lindqvist"
        and Person.objects.filter(name__startswith="Theo").count() == 1
    )


def test_a_quote_cut_from_one_speakers_lines_names_them(client, editor, tmp_path):
    """What a speaker said is theirs: a quote cut in the admin from lines the transcript
    gives to one person names that person; lines of two speakers name nobody."""
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    assert run(path)[0] == 0
    video = Video.objects.get()
    lines = list(video.segments.order_by("start_seconds"))
    mira = [s for s in lines if s.text.startswith("I missed the feeling")]
    both = [s for s in lines if s.start_seconds in (70, 75)]
    assert len(mira) >= 1 and len(both) == 2
    url = f"/admin/kb/video/{video.pk}/transcript/"
    client.post(url, {"segment": [s.pk for s in mira]})
    client.post(url, {"segment": [s.pk for s in both]})
    quotes = {q.text[:20]: q.speaker for q in video.quotes.all()}
    assert quotes == {"I missed the feeling": Person.objects.get(name="Mira Castellanos"),
                      "So what made you dec": None}  # fmt: skip


def test_the_transcript_page_shows_who_speaks_where_it_changes(client, tmp_path):
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    assert run(path, "--publish")[0] == 0
    video = Video.objects.get()
    page = client.get(f"/videos/{video.slug}/transcript/").content.decode()
    mira = Person.objects.get(name="Mira Castellanos")
    named = re.findall(r'class="speaker" href="([^"]+)">([^<]+)</a>:', page)
    # Each turn names its speaker once, linked to their page, in the order they speak.
    assert [name for _, name in named] == ["Mira Castellanos", "Theo"] * 3
    assert named[0][0] == mira.get_absolute_url()
    assert client.get(named[0][0]).status_code == 200


def test_a_persons_page_says_where_they_speak_in_each_transcript(client, tmp_path):
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    assert run(path, "--publish")[0] == 0
    video = Video.objects.get()
    page = client.get(Person.objects.get(name="Theo").get_absolute_url()).content.decode()
    # Theo's three turns, from his first at 0:21, on the transcript page.
    link = f'href="/videos/{video.slug}/transcript/#t-21">speaks in 3 lines of the transcript'
    assert link in page
    assert 'id="t-21"' in client.get(f"/videos/{video.slug}/transcript/").content.decode()


def test_search_narrows_to_what_one_speaker_says(client, tmp_path):
    """`?speaker=`: the lines a speaker says, on the site and in the API; the same words
    from the other voice are left out."""
    path = tmp_path / "transcript.md"
    path.write_text(EPISODE, encoding="utf-8")
    assert run(path, "--publish")[0] == 0
    video = Video.objects.get()
    ChapterFactory(video=video, start_seconds=0, title="The whole talk")
    video.segments.update(chapter=video.chapters.get())
    from kb.importers.derived import refresh_chapter_texts

    refresh_chapter_texts(video)
    mira, theo = Person.objects.get(name="Mira Castellanos"), Person.objects.get(name="Theo")

    def moments(who):
        found = search("Mira", speaker=who).moments
        return {(m.start_seconds, who.name) for m in found}

    # "Mira" is said by Theo (introducing her, thanking her), never by Mira herself.
    assert moments(theo) and all(
        TranscriptSegment.objects.get(video=video, start_seconds=start).speaker == theo
        for start, _ in moments(theo)
    )
    assert not moments(mira)
    page = client.get("/search/", {"q": "Mira", "speaker": theo.slug}).content.decode()
    assert "Only what" in page and 'name="speaker" value="theo"' in page
    api = client.get("/api/v1/search", {"q": "Mira", "speaker": theo.slug}).json()
    assert (
        api["moments"]
        and client.get("/api/v1/search", {"q": "Mira", "speaker": "nobody"}).status_code == 400
    )


def test_the_admins_upload_previews_and_imports_a_speaker_transcript(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/admin/kb/video/import/",
        {"file": SimpleUploadedFile("transcript.md", EPISODE.encode()), "format": "auto"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "would import" in body
    assert "speaker-labelled transcript" in body and "turns by Mira Castellanos, Theo" in body
    assert not Video.objects.exists()  # a preview stores nothing
    job = response.context["job"].pk
    client.post("/admin/kb/video/import/", {"upload": job, "confirm": "1"})
    video = Video.objects.get()
    assert video.youtube_id == "MiraBack001"
    assert video.segments.filter(speaker__name="Mira Castellanos").exists()


def test_a_paragraph_stamped_with_a_time_alone_is_its_speaker_going_on():
    """`(00:01:40):` heads a paragraph of the speaker before, with its own time: neither
    the stamp nor a tool's `[NEW_PARAGRAPH]` mark is read as words. A name with an aside
    (`Mira Castellanos (MC)`) or a head without its colon is still a turn."""
    text = EPISODE.replace(
        "I wanted it first hand again,",
        "I wanted it first hand again.\n\n(00:01:40):\n[NEW_PARAGRAPH]So I asked,",
    ).replace("Mira Castellanos (00:00:40):", "Mira Castellanos (MC) (00:00:40)")
    spoken = parse_spoken(text)
    starts = [(t.speaker, t.start_seconds) for t in spoken.turns]
    assert starts == [("Mira Castellanos", 0), ("Theo", 21), ("Mira Castellanos", 40),
                      ("Theo", 70), ("Mira Castellanos", 75), ("Mira Castellanos", 100),
                      ("Theo", 210)]  # fmt: skip
    assert spoken.turns[5].text == "So I asked, so I asked for the switch and wrote down why."
    assert not any(re.search(r"\d:\d\d|NEW_PARAGRAPH", s.text) for s in segments(spoken))


TIME_FIRST = """---
guest: Ines Duarte
title: Ines Duarte on hiring your first designer
video_id: InesFirst01
channel: The Career Ladder
---

[00:00:00] Ines: Hire the person who argues with your brief, not the one who flatters it.
[00:00:12] Theo: Welcome to the show. My guest today is Ines Duarte.
[00:00:20] Ines: Thank you. Happy to be here.
[00:00:25] Theo: So where does a founder start?
[00:00:31] Ines: With the work, always the work.
A portfolio shows taste; a paid trial shows judgement.
[00:01:02] And judgement is what you are hiring.
[00:01:10] Theo: Thanks, Ines.
"""


def test_a_transcript_with_the_time_first_is_read_as_speaker_turns(tmp_path):
    spoken = parse_spoken(TIME_FIRST)
    assert [(t.speaker, t.start_seconds) for t in spoken.turns] == [
        ("Ines", 0), ("Theo", 12), ("Ines", 20), ("Theo", 25), ("Ines", 31), ("Ines", 62),
        ("Theo", 70),
    ]  # fmt: skip
    assert spoken.turns[4].text.endswith("a paid trial shows judgement.")
    assert (spoken.guests, spoken.host) == (["Ines Duarte"], "Theo")
    path = tmp_path / "transcript.md"
    path.write_text(TIME_FIRST, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0, err
    video = Video.objects.get(youtube_id="InesFirst01")
    assert video.transcript_exact
    assert video.segments.filter(speaker__name="Ines Duarte").count() == 4


UNTIMED = """---
guest: Ines Duarte
title: Ines Duarte on hiring your first designer
video_id: InesFirst01
duration_seconds: 120
channel: The Career Ladder
---

# Ines Duarte on hiring your first designer

Ines Duarte:
Hire the person who argues with your brief, not the one who flatters it.

Theo:
Welcome to the show. My guest today is Ines Duarte. Ines, thank you for coming.

Ines Duarte:
Happy to be here. I have hired twelve designers and regretted two of them.

Theo:
Which two?

Ines Duarte:
The ones who agreed with everything I said in the interview. [inaudible 00:01:00] After that
I only hired people who pushed back, and I have not regretted one of those.

Theo:
Thanks, Ines.
"""


def test_a_transcript_without_times_has_its_turns_estimated_and_says_so(tmp_path):
    """`Name:` heading each turn, no times: the turns' starts are spread over the length
    the front matter gives, pinned where the words give a time (`[inaudible 00:01:00]`);
    the transcript is not exact, and a warning says so."""
    spoken = parse_spoken(UNTIMED)
    assert not spoken.timed and spoken.speakers == ["Ines Duarte", "Theo"]
    starts = [t.start_seconds for t in spoken.turns]
    assert starts == sorted(starts) and starts[0] == 0 and starts[-1] < 120
    last_but_one = spoken.turns[4]
    # 45 words come before it and 11 of its own before the pin at 1:00 (56 words in 60 s).
    assert last_but_one.start_seconds == pytest.approx(45 * 60 / 56, abs=0.01)
    assert not any(s.exact for s in segments(spoken))
    path = tmp_path / "transcript.md"
    path.write_text(UNTIMED, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0, err
    assert "warning:" in err and "the transcript gives no times" in err
    video = Video.objects.get(youtube_id="InesFirst01")
    assert not video.transcript_exact and not video.segments.filter(exact=True).exists()
    assert list(video.credits.values_list("person__name", "role")) == [
        ("Ines Duarte", Role.GUEST), ("Theo", Role.HOST)
    ]  # fmt: skip
    # A timed transcript of the same talk later takes its place, without --update; the
    # untimed one never replaces a timed one.
    path.write_text(TIME_FIRST, encoding="utf-8")
    assert run(path)[0] == 0
    video.refresh_from_db()
    assert video.transcript_exact
    path.write_text(UNTIMED.replace("twelve", "eleven"), encoding="utf-8")
    code, out, err = run(path, "--update")
    assert code == 1 and "this one gives no times: the timed one is kept" in err


def test_a_summary_with_labelled_paragraphs_is_not_taken_for_a_transcript():
    from kb.importers.speakers import looks_spoken

    summary = "# Hiring designers\n\n" + "\n\n".join(
        f"Example:\nA founder hired a designer, number {n}.\n\nWhy it matters:\nTaste."
        for n in range(2)
    )
    assert not looks_spoken(summary)
    titles = ["Introduction", "First Hires", "Paid Trials", "Taste", "Closing Words"]
    chapters = "\n".join(f"[0{n}:00] {title}: Part {n}" for n, title in enumerate(titles))
    assert not looks_spoken(chapters)
    assert looks_spoken(UNTIMED) and looks_spoken(TIME_FIRST)


def test_one_stray_stamp_is_re_timed_between_its_neighbours():
    """`1:05:52` between `1:04:46` and `1:04:58` is a slip: that turn is re-timed between
    the two, with a warning. Two stamps out of order in a row are a transcript out of
    order: refused."""
    stray = EPISODE.replace("Theo (00:01:10):", "Theo (00:02:50):")
    spoken = parse_spoken(stray)
    assert [t.start_seconds for t in spoken.turns][:3] == [0, 21, 40]
    assert 40 < spoken.turns[3].start_seconds < 75
    assert any("1 turn is stamped out of line" in m and "2:50, between 0:40 and 1:15" in m
               for _, m in spoken.warnings)  # fmt: skip
    early = EPISODE.replace("Mira Castellanos (00:01:15):", "Mira Castellanos (00:00:05):")
    assert 70 < parse_spoken(early).turns[4].start_seconds < 210
    both = EPISODE.replace("(00:01:10)", "(00:00:03)").replace("(00:01:15)", "(00:00:05)")
    with pytest.raises(
        DocumentError, match=r"a turn at 00:00:03 comes after one at a later time \(0:40\)"
    ):
        parse_spoken(both)


def test_who_a_title_names_and_when_they_never_speak():
    from kb.importers.speakers import same_person_loosely, title_people

    assert title_people("Hiring well | Ada Chen (Stripe, Lyft)") == ["Ada Chen"]
    assert title_people("Two views | Ada Chen & Jun Park") == ["Ada Chen", "Jun Park"]
    assert title_people("Prompting | HackAPrompt CEO") == []
    assert title_people("Hiring well, with Ada Chen") == []
    assert same_person_loosely("Dr. Fei-Fei Li", "Fei Fei Li")
    assert same_person_loosely("Gustaf Alströmer", "Gustaf Alstromer")
    assert not same_person_loosely("Laura Schaffer", "Laura Modi")
    show = EPISODE.replace("| Mira Castellanos'", "| The Career Ladder'")
    assert not any("the title names" in m for _, m in parse_spoken(show).warnings)
    elsewhere = EPISODE.replace("| Mira Castellanos'", "| Laura Modi'")
    assert any("the title names 'Laura Modi', who never speaks here" in m
               for _, m in parse_spoken(elsewhere).warnings)  # fmt: skip


def test_an_episodes_marks_are_not_a_guests_name_and_a_compilation_credits_its_voices():
    """ "Mira Castellanos Live" (an episode recorded live) is Mira; "Mira+Theo" is two
    people. With no guest who speaks named, everyone besides the host who says a third as
    much as the one who says most is a guest: a compilation of stories has several."""
    live = parse_spoken(EPISODE.replace("guest: Mira Castellanos", "guest: Mira Castellanos Live"))
    assert live.guests == ["Mira Castellanos"]
    both = parse_spoken(EPISODE.replace("guest: Mira Castellanos", "guest: Mira+Theo"))
    assert both.guests == ["Mira Castellanos", "Theo"]
    stories = EPISODE.replace("guest: Mira Castellanos", "guest: Stories of failure") + (
        "\nJun Park (00:04:00):\nI shipped a feature nobody had asked for, and I learned to "
        "ask first. It took a quarter, two reviews and one very quiet demo day before I saw "
        "that nobody would use it.\n\nAda Lind (00:04:30):\nOk.\n"
    )
    spoken = parse_spoken(stories)
    assert (spoken.host, spoken.guests) == ("Theo", ["Mira Castellanos", "Jun Park"])
    assert any("no guest named: took 'Mira Castellanos', 'Jun Park', who speak most" in m
               for _, m in spoken.warnings)  # fmt: skip
