"""Search by meaning (issue 16): a reader's own words find the moment when the speaker
said it differently; literal hits still come first; drafts never leak; offline."""

import io
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from kb.models import Lesson, MeaningVector, Status
from kb.search import meaning, nearest, search

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def samples(samples_once):
    """The samples, loaded once for the file (conftest.samples_once)."""


def test_imports_store_vectors_for_lessons_and_transcript_windows(samples):
    lessons = Lesson.objects.count()
    assert MeaningVector.objects.filter(kind=meaning.LESSON).count() == lessons
    windows = MeaningVector.objects.filter(kind=meaning.WINDOW)
    assert windows.count() > 0 and not windows.filter(chapter=None).exists()


def test_a_paraphrase_finds_what_the_speaker_said_in_other_words(samples):
    # The speaker said "staying calm is a skill you can practise" and "outage".
    results = search("keeping calm when production breaks")
    assert results.found and results.by_meaning_only
    moments = results.moments[:5]
    assert all(m.similar for m in moments)
    assert "On-call & incidents" in [m.chapter.title for m in moments]


def test_literal_hits_come_first(samples):
    results = search("feature flags")
    hits = results.lessons[: len(results.lessons)]
    assert not hits[0].similar and "flag" in hits[0].lesson.title.lower()
    literal = [h.similar for h in hits]
    assert literal == sorted(literal)  # every literal hit before any found by meaning
    assert not results.by_meaning_only


def test_phrases_and_exclusions_keep_their_literal_meaning(samples):
    assert not any(h.similar for h in search('"feature flag" -rewrite').lessons[:20])
    assert not search('"zebra crossing"').found


def test_drafts_never_come_back_by_meaning(samples):
    from kb.models import Video

    Video.objects.filter(title__startswith="From Support").update(status=Status.DRAFT)
    results = search("keeping calm when production breaks")
    shown = [h.lesson.video.title for h in results.lessons[: len(results.lessons)]]
    shown += [m.video.title for m in results.moments]
    assert shown and not any(title.startswith("From Support") for title in shown)


def test_an_admin_edit_is_found_by_meaning_at_once(
    client, editor, samples, django_capture_on_commit_callbacks
):
    from tests.forms import form_data

    lesson = Lesson.objects.get(title="Say No to the Big Rewrite")
    url = f"/admin/kb/lesson/{lesson.pk}/change/"
    data = form_data(client.get(url).content.decode(), "lesson_form")
    data["title"] = "Gardening, tomatoes and compost"
    data["body"] = "Growing vegetables in the garden: soil, seeds, watering and harvest."
    # The refresh runs when the admin's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    hits = search("planting a vegetable patch").lessons
    assert hits and hits[0].lesson.pk == lesson.pk


def test_the_model_loads_with_the_network_blocked():
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network blocked')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\n"
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings')\n"
        "django.setup()\n"
        "from kb.search import meaning\n"
        "v = meaning.embed(['ask for help early'])\n"
        "assert v.shape == (1, meaning.DIMENSIONS)\nprint('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert socket.socket.connect is not None


def test_videos_and_people_are_found_too(samples):
    results = search("priya")
    assert [p.name for p in results.people] == ["Priya Nair", "Priya Raman"]
    results = search("startups")
    assert "Shipping Small: Lessons From a Decade of Startups" in [v.title for v in results.videos]
    assert results.videos_by_words
    narrowed = search("startups", video=results.videos[0])
    assert narrowed.videos == [] and narrowed.people == []


def test_a_draft_video_is_never_found(samples):
    from kb.models import Video

    assert "Shipping Small" in " ".join(v.title for v in search("startups").videos)
    Video.objects.filter(title__startswith="Shipping Small").update(status=Status.DRAFT)
    assert "Shipping Small" not in " ".join(v.title for v in search("startups").videos)
    assert "Shipping Small" not in " ".join(v.title for v in search("shipping small").videos)


def test_a_quote_is_found_by_meaning_once_published(
    client, editor, samples, django_capture_on_commit_callbacks
):
    from kb.models import Quote, Video
    from tests.forms import form_data

    video = Video.objects.get(title__startswith="From Support")
    quote = Quote.objects.create(
        video=video, text="Breathe, write it down, ask the next question.", start_seconds=2400,
        end_seconds=2410,
    )  # fmt: skip
    url = f"/admin/kb/quote/{quote.pk}/change/"
    data = form_data(client.get(url).content.decode(), "quote_form")
    data["status"] = "published"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    hits = search("breathing and writing things down").quotes
    assert [h.quote.pk for h in hits if h.similar] == [quote.pk]
    Quote.objects.filter(pk=quote.pk).update(status="draft")
    assert not search("breathing and writing things down").quotes


def _matrix(vectors) -> meaning.Matrix:
    """A window matrix of these vectors, row i pointing at chapter 100 + i."""
    from array import array

    count = len(vectors)
    ids = {name: array("q", [-1] * count) for name in meaning.ID_COLUMNS}
    ids["pk"] = array("q", range(1, count + 1))
    ids["chapter"] = array("q", range(100, 100 + count))
    ids["video"] = array("q", [1] * count)
    stored = bytearray(b"".join(meaning.pack(v) for v in vectors))
    return meaning.Matrix(ids, array("d", [0.0] * count), stored)


def _random_rows(seed: int, count: int):
    """(the generator, `count` random unit vectors) for searches over many rows."""
    rng = np.random.default_rng(seed)
    return rng, [v / np.linalg.norm(v) for v in rng.standard_normal((count, meaning.DIMENSIONS))]


def _query_near(first: np.ndarray, second: np.ndarray, weight: float, noise=0.0) -> np.ndarray:
    """A unit query closest to `first`, then to `second` (`weight` of it)."""
    query = (first + weight * second + noise).astype(np.float32)
    return query / np.linalg.norm(query)


def _unit(coarse: float, rest: float) -> np.ndarray:
    """A unit vector saying `coarse` in the first dimensions and `rest` in the others."""
    vector = np.zeros(meaning.DIMENSIONS, dtype=np.float32)
    vector[0], vector[meaning.COARSE_DIMENSIONS] = coarse, rest
    return vector / np.linalg.norm(vector)


@pytest.mark.django_db(False)
def test_the_whole_vector_orders_what_the_first_dimensions_shortlisted(monkeypatch):
    monkeypatch.setattr(nearest, "SHORTLIST", 3)
    query = _unit(1.0, 1.0)
    # Row 0 leads on the first dimensions alone; row 1 is closer on the whole vector.
    rows = [_unit(1.0, 0.0), _unit(0.8, 0.6), _unit(0.3, -0.1), _unit(-1.0, 0.0), _unit(0, -1)]
    matrix = _matrix(rows)
    everything = np.ones(len(rows), dtype=bool)

    found = matrix.best(query, everything, 2, 0.0)

    assert [row.chapter for row, _ in found] == [101, 100]
    assert found[0][1] == pytest.approx(float(rows[1] @ query), abs=0.02)


@pytest.mark.django_db(False)
def test_every_row_is_scored_when_the_shortlist_runs_out_and_hidden_rows_stay_hidden(
    monkeypatch,
):
    monkeypatch.setattr(nearest, "SHORTLIST", 2)
    query = _unit(1.0, 0.0)
    rows = [_unit(1.0, 0.0), _unit(0.9, 0.1), _unit(0.8, 0.2), _unit(0.7, 0.3), _unit(0.6, 0.4)]
    matrix = _matrix(rows)
    visible = np.array([False, True, True, True, True])

    # The two closest visible rows are refused, so the search must go past its shortlist.
    found = matrix.best(query, visible, 2, 0.0, keep=lambda row: row.chapter > 102)

    assert [row.chapter for row, _ in found] == [103, 104]
    assert matrix.best(query, visible, 9, 0.0, keep=lambda row: row.chapter == 100) == []


@pytest.mark.django_db(False)
def test_rows_scored_a_block_at_a_time_score_as_one_product(monkeypatch):
    """Many int8 rows are made float32 and scored a block at a time: every row gets its
    own similarity, in order, across the blocks' edges, on the shortlist and on a
    whole scan alike."""
    monkeypatch.setattr(nearest, "BLOCK", 3)
    monkeypatch.setattr(nearest, "SHORTLIST", 4)
    _, rows = _random_rows(7, 11)
    query = _query_near(rows[5], rows[8], 0.3)
    stored = [np.frombuffer(meaning.pack(row), dtype=np.int8) / meaning.SCALE for row in rows]
    exact = [float(row @ query) for row in stored]  # one product over the stored numbers

    found = _matrix(rows).best(query, np.ones(len(rows), dtype=bool), len(rows), -1.0)

    assert [row.chapter - 100 for row, _ in found] == sorted(range(11), key=lambda i: -exact[i])
    assert [similarity for _, similarity in found] == pytest.approx(
        sorted(exact, reverse=True), abs=1e-5
    )


def test_a_text_is_embedded_as_what_the_model_reads_of_it(monkeypatch, tmp_path):
    """A 100,000-letter word in a lesson's title and takeaway (issue 36): the model is
    given at most MAX_TOKENS tokens of any text, so an import's memory does not grow with
    the longest text; the lesson is imported and stays findable by its first words."""
    from tests.pages import page

    tokenizer = meaning._model().tokenizer
    longest = []
    real_encode_batch = tokenizer.encode_batch

    class Spy:
        def __getattr__(self, name):
            return getattr(tokenizer, name)

        def encode_batch(self, texts, *args, **kwargs):
            encoded = real_encode_batch(texts, *args, **kwargs)
            longest.append(max(len(e.ids) for e in encoded))
            return encoded

    monkeypatch.setattr(meaning._model(), "tokenizer", Spy())
    word = "a" * 100_000
    text = page().replace("Spending hours stuck", f"Spending hours {word} stuck")
    text = text.replace("Ask for help after thirty minutes stuck.", f"Ask for help {word}.")
    path = tmp_path / "long.txt"
    path.write_text(text)
    call_command("import_video", str(path), "--publish", stdout=io.StringIO())

    assert longest and max(longest) <= meaning.MAX_TOKENS
    lesson = Lesson.objects.get(title="Asking for Help Early")
    assert MeaningVector.objects.filter(lesson=lesson).exists()
    # What the model reads of a long text is its beginning: the same vector as that part.
    long_text = "ask for help when you are stuck " + word
    head = "ask for help when you are stuck " + "a" * 2_000
    assert np.allclose(meaning.embed([long_text])[0], meaning.embed([head])[0], atol=1e-6)


@pytest.mark.django_db(False)
def test_the_models_weights_are_mapped_from_its_wheel_and_embed_as_the_copy_did():
    """Every worker maps the token vectors from the package's file (one copy a host)
    instead of holding a float32 copy of its own; the vectors are the same to the bit."""
    import os

    import wordllama

    assert isinstance(meaning._model().embedding, np.memmap)
    copy = wordllama.WordLlama.load(
        cache_dir=os.path.dirname(wordllama.__file__), disable_download=True
    )
    copy.tokenizer.enable_truncation(max_length=meaning.MAX_TOKENS)
    texts = [p.read_text()[:3000] for p in sorted((ROOT / "samples").glob("*.txt"))]
    texts += ["keeping calm when production breaks", "why can't I get promoted", "日本語 🙂"]
    expected = np.asarray(copy.embed(texts), dtype=np.float32)[:, : meaning.DIMENSIONS]
    assert np.array_equal(meaning.embed(texts), meaning._unit(expected))


def test_a_question_one_takeaway_answers_ranks_its_lesson_first():
    # Search's static model (no sentence-model vectors are stored here). As a whole,
    # "Do Great Work" is closer to the question (its words are about good work); one
    # takeaway of "Grow Through Others" answers it: that lesson comes first.
    from tests.factories import LessonFactory, TakeawayFactory, VideoFactory

    video = VideoFactory()
    lessons = {
        "Do Great Work": (
            "Do the work you are good at, and do it well, and your work will be noticed.",
            ["Get good at the work in front of you.", "Show your good work to your manager."],
        ),
        "Grow Through Others": (
            "A manager grows the people around them and shares the work: honest retros, "
            "clear goals, feedback.",
            ["Run a retro after every project.",
             "Hand off the work you are good at to someone on your team."],
        ),
    }  # fmt: skip
    for title, (body, takeaways) in lessons.items():
        lesson = LessonFactory(video=video, title=title, body=body)
        for n, text in enumerate(takeaways):
            TakeawayFactory(lesson=lesson, text=text, position=n)
    meaning.index_video(video)

    ranked = search("how do I hand off work I am good at", by="meaning").lessons
    assert [hit.lesson.title for hit in ranked[: len(ranked)]] == [
        "Grow Through Others",
        "Do Great Work",
    ]


def test_a_question_in_other_words_finds_the_lesson_that_answers_it(monkeypatch, settings):
    # "Delegate" is not said: the sentence model reads what the question asks. Without
    # its vectors (a base stored by an older version, before `reindex`) the static model
    # answers, and puts the demo first.
    from kb.models import MeaningVector
    from kb.search import sense
    from tests.factories import LessonFactory, VideoFactory

    video = VideoFactory()
    for title, body in {
        "Give Away Your Legos": "As the company grows, hand off the projects you are best at "
        "to others on the team, so you can take on what only you can do.",
        "Negotiate Your Salary": "Ask for more money when the offer comes, and say what the "
        "market pays.",
        "Rehearse the Demo": "Practise the product demo twice before the meeting with a customer.",
    }.items():
        LessonFactory(video=video, title=title, body=body)
    meaning.index_video(video)
    sense.index_lessons(video.lessons.all())
    question = "how do I delegate work I'm good at"

    def first() -> str | None:
        ranked = search(question).lessons
        return ranked[0].lesson.title if ranked else None

    assert first() == "Give Away Your Legos"
    settings.SENTENCE_SEARCH = False  # DJANGO_SENTENCE_SEARCH=0
    assert first() == "Rehearse the Demo"
    settings.SENTENCE_SEARCH = True
    with monkeypatch.context() as broken:  # the model fails to run: the static model answers
        broken.setattr(sense.sentence_model, "embed", lambda texts: 1 / 0)
        assert first() == "Rehearse the Demo"
    MeaningVector.objects.filter(kind=sense.SENSE).delete()
    assert first() == "Rehearse the Demo"


@pytest.mark.django_db(False)
def test_lessons_read_by_the_sentence_model_are_ranked_across_several_segments(monkeypatch):
    # An edit writes its rows as a new small segment: the shortlist's whole vectors are then
    # read from several, each as wide as the sentence model's (not the static model's).
    from kb.search import sense
    from kb.search.segments import Segment

    monkeypatch.setattr(nearest, "SHORTLIST", 2)
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(6, sense.DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def segment(first: int, last: int) -> Segment:
        rows = [(n + 1, sense.SENSE, 10 + n, None, 1, None, 0.0, sense.pack(vectors[n]))
                for n in range(first, last)]  # fmt: skip
        return Segment.from_rows(
            rows, (sense.SENSE,), sense.DIMENSIONS, meaning.COARSE_DIMENSIONS, meaning.SCALE
        )

    parts = [segment(0, 4), segment(4, 6)]
    found = meaning.Vectors([(s, *s.rows_of(sense.SENSE)) for s in parts]).best(vectors[4], 2, 0.0)
    assert found[0][0].lesson == 14
    assert found[0][1] == pytest.approx(1.0, abs=0.02)


@pytest.mark.django_db(False)
def test_a_large_scan_finds_the_closest_and_shows_exact_similarities_in_order(
    monkeypatch,
):
    """Every row's first dimensions are scored by the query rounded to int8 (a SIMD
    kernel): that only chooses the shortlist. What a reader is shown, and in what order,
    is the exact similarity over the stored numbers."""
    monkeypatch.setattr(nearest, "SHORTLIST", 300)
    monkeypatch.setattr(nearest, "SHORTLIST_SHARE", 1000)
    rng, rows = _random_rows(11, 3000)
    query = _query_near(rows[17], rows[2900], 0.8, 0.05 * rng.standard_normal(meaning.DIMENSIONS))
    stored = np.array([np.frombuffer(meaning.pack(row), dtype=np.int8) for row in rows])
    exact = (stored / meaning.SCALE) @ query.astype(np.float64)

    found = _matrix(rows).best(query, np.ones(len(rows), dtype=bool), 10, -1.0)

    rows_found = [row.chapter - 100 for row, _ in found]
    assert rows_found[:2] == [17, 2900]
    assert [similarity for _, similarity in found] == pytest.approx(
        [exact[i] for i in rows_found], abs=1e-5
    )
    assert rows_found == sorted(rows_found, key=lambda i: -exact[i])


@pytest.mark.django_db(False)
def test_rows_gone_from_the_database_are_never_found_when_they_fill_the_shortlist(monkeypatch):
    """A kind whose rows are mostly flagged dead (deleted since the files were written):
    the shortlist then holds dead rows too, and none of them may be shown, however close."""
    monkeypatch.setattr(nearest, "SHORTLIST", 300)
    monkeypatch.setattr(nearest, "SHORTLIST_SHARE", 1000)
    _, rows = _random_rows(5, 3000)
    query = _query_near(rows[17], rows[2900], 0.8)
    matrix = _matrix(rows)
    segment = matrix.parts[0][0]
    segment.dead[:2800] = 1  # row 17, the closest, among them

    found = matrix.best(query, None, 5, -1.0)

    assert [row.chapter - 100 for row, _ in found][0] == 2900
    assert all(row.chapter - 100 >= 2800 for row, _ in found)
