"""Draft lessons rewritten by a language model the editor configures (issue 42): a model
registered as an `llm` plugin, in this process (no network, no key), rewrites titles and
takeaways; every verbatim span it returns is checked against the transcript, and whatever
is not there, or cannot be used, leaves the offline draft as it was."""

import io
import json
import re
import sys
import threading

import llm
import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.importers import drafting_llm
from kb.models import Lesson, QuoteSuggestion, Role, Suggestion
from tests.factories import CreditFactory, PersonFactory, TranscriptSegmentFactory, VideoFactory
from tests.helpers import NEGOTIATION, PROMOTION

pytestmark = pytest.mark.django_db

FAKE = "kb-fake"

QUESTION = (
    "Tell us about this. You should always negotiate, my advice to listeners is to ask early?"
)


class FakeModel(llm.Model):
    """Answers with whatever `reply(prompt text)` returns; remembers what it was asked."""

    model_id = FAKE
    supports_schema = True

    def __init__(self):
        self.reply = faithful
        self.asked = []

    def execute(self, prompt, stream, response, conversation):
        self.asked.append(prompt)
        yield self.reply(prompt.prompt)


class KeyedFakeModel(llm.KeyModel):
    model_id = "kb-fake-keyed"
    supports_schema = True
    needs_key = "kb-fake-keyed"

    def execute(self, prompt, stream, response, conversation, key):
        yield faithful(prompt.prompt)


@pytest.fixture
def fake(monkeypatch, tmp_path, settings):
    """The fake model, registered as an llm plugin for this test only; llm's own files
    (keys, aliases) in a folder of the test's."""
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm"))
    model = FakeModel()

    class Plugin:
        @llm.hookimpl
        def register_models(self, register):
            register(model)
            register(KeyedFakeModel())

    plugin = Plugin()
    llm.plugins.pm.register(plugin, name="kb-fake-plugin")
    settings.DRAFT_MODEL = ""
    yield model
    llm.plugins.pm.unregister(plugin)


def transcript_lines(prompt: str) -> list[tuple[str, str]]:
    """(role, words) of each line the model was given."""
    return re.findall(r"^\[[\d:]+\] (?:(\w+): )?(.*)$", prompt, re.MULTILINE)


def guest_sentences(prompt: str) -> list[str]:
    return [
        sentence
        for role, words in transcript_lines(prompt)
        if role == "Guest"
        for sentence in re.findall(r"[^.?!]+[.?!]", words)
    ]


def faithful(prompt: str) -> str:
    """A model that does its job: advice in its own words, supported by the guest's words
    (quoted as models do: another case, punctuation dropped)."""
    said = list(dict.fromkeys(s.strip() for s in guest_sentences(prompt)))
    topic = "negotiation" if any("offer" in s for s in said) else "promotion"
    return json.dumps(
        {
            "title": f"Own your {topic} <b>early</b>",
            "takeaways": [
                {"text": f"Rewritten advice {n}: {s.lower()}", "verbatim": s.lower().rstrip(".")}
                for n, s in enumerate(said[:3])
            ],
            "quote": said[0].replace(",", "").upper(),
        }
    )


@pytest.fixture
def video():
    """A speaker-labelled talk with no summary: two topics, each a host question and the
    guest's answers."""
    talk = VideoFactory(status="draft", youtube_id="")
    guest, host = PersonFactory(name="Dana Okafor"), PersonFactory(name="Sam Host")
    CreditFactory(video=talk, person=guest, role=Role.GUEST)
    CreditFactory(video=talk, person=host, role=Role.HOST, position=1)
    at = 0.0
    for topic in (PROMOTION, NEGOTIATION):
        TranscriptSegmentFactory(
            video=talk, start_seconds=at, end_seconds=at + 10, text=QUESTION, speaker=host
        )
        at += 10
        for n in range(8):
            said = " ".join(topic[(n + k) % len(topic)] for k in range(2))
            TranscriptSegmentFactory(
                video=talk, start_seconds=at, end_seconds=at + 50, text=said, speaker=guest
            )
            at += 50
    return talk


def draft_lessons(talk, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("draft_lessons", talk.slug, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def drafted(talk) -> list[Lesson]:
    return list(
        talk.lessons.filter(machine_draft=True)
        .prefetch_related("takeaways", "suggestions")
        .order_by("start_seconds")
    )


def offline_drafts(talk) -> list[tuple[str, list[str], str]]:
    """(title, takeaways, quote) of each draft, as they are without a model."""
    draft_lessons(talk, "--offline")
    return [
        (d.title, [t.text for t in d.takeaways.all()], d.suggestions.get().text)
        for d in drafted(talk)
    ]


def said_at(talk, seconds: float) -> str:
    return talk.segments.get(start_seconds__lte=seconds, end_seconds__gt=seconds).text


# ---------------------------------------------------------------- a faithful model


def test_a_faithful_answer_rewrites_titles_with_moments_and_quotes_from_the_transcript(video, fake):
    offline = offline_drafts(video)
    assert len(offline) == 2
    out, err = draft_lessons(video, "--model", FAKE)
    assert err == ""
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out and "refused" not in out
    lessons = drafted(video)
    assert [lesson.title for lesson in lessons] == [
        "Own your promotion <b>early</b>",
        "Own your negotiation <b>early</b>",
    ]
    for lesson in lessons:
        assert lesson.machine_draft and lesson.status == "draft"
        takeaways = list(lesson.takeaways.all())
        assert 2 <= len(takeaways) <= 5
        for takeaway in takeaways:
            assert takeaway.text.startswith("Rewritten advice")
            # Its moment is where the transcript says its words, not anything the model said.
            words = takeaway.text.split(": ", 1)[1]
            assert words.rstrip(".") in said_at(video, takeaway.start_seconds).lower()
        # The quote is the transcript's own words (case and commas as said), on their times.
        quote = lesson.suggestions.get()
        assert quote.text in said_at(video, quote.start_seconds)
        assert quote.text != quote.text.upper() and quote.start_seconds < quote.end_seconds
    # One passage at a time, with its times and who speaks, constrained to the schema.
    assert len(fake.asked) == 2
    assert all(p.schema is not None for p in fake.asked)
    assert "[0:00] Host: Tell us about this." in fake.asked[0].prompt
    assert "Guest: You should write your own promotion packet" in fake.asked[0].prompt


def test_the_setting_names_the_model_and_offline_overrides_it(video, fake, settings):
    settings.DRAFT_MODEL = FAKE
    out, _ = draft_lessons(video)
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out
    assert drafted(video)[0].title == "Own your promotion <b>early</b>"
    out, _ = draft_lessons(video, "--offline")
    assert "model" not in out and drafted(video)[0].title != "Own your promotion <b>early</b>"


def test_an_import_with_the_setting_queues_the_drafts_for_the_model(
    fake, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.helpers import import_video

    pairs = zip(PROMOTION * 2, PROMOTION[1:] * 2, strict=False)
    turns = [("Sam Host", QUESTION)] + [("Dana Okafor", f"{a} {b}") for a, b in pairs]
    body = "\n\n".join(
        f"{who} (00:{n * 40 // 60:02}:{n * 40 % 60:02}):\n{text}"
        for n, (who, text) in enumerate(turns)
    )
    path = tmp_path / "talk.md"
    path.write_text(
        "---\nguest: Dana Okafor\ntitle: 'Promotions | Dana Okafor'\nvideo_id: DanaOkafor9\n"
        f"publish_date: 2025-03-04\nchannel: The Career Ladder\n---\n\n{body}\n",
        encoding="utf-8",
    )
    settings.DRAFT_MODEL = FAKE
    with django_capture_on_commit_callbacks() as after_commit:
        code, out, err = import_video(path)
    assert code == 0, err
    # The import stores the offline drafts and asks the model nothing: a model may take
    # minutes, and the import's transaction would hold the database all that time.
    assert re.search(rf"1 lessons? drafted; the drafts are queued for {FAKE} to rewrite", out)
    assert fake.asked == []
    offline = Lesson.objects.get(machine_draft=True).title
    assert offline != "Own your promotion <b>early</b>"
    # Once it has committed, a task asks the model (here at once: tests run tasks inline).
    (enqueue,) = after_commit
    enqueue()
    assert len(fake.asked) == 1
    assert Lesson.objects.get(machine_draft=True).title == "Own your promotion <b>early</b>"


def test_the_rewrite_task_says_what_the_model_did_and_survives_a_deleted_video(video, fake):
    from kb.importers.tasks import rewrite_drafts

    offline_drafts(video)
    result = rewrite_drafts.enqueue(video.pk, FAKE)
    assert result.return_value == f"2 of 2 drafts rewritten by {FAKE}"
    assert drafted(video)[0].title.startswith("Own your")
    pk = video.pk
    video.delete()
    gone = rewrite_drafts.enqueue(pk, FAKE)
    assert gone.return_value == "the video was deleted before its drafts were rewritten"


# ---------------------------------------------------------------- what is refused


def test_an_invented_takeaway_or_quote_is_refused_and_the_offline_one_kept(video, fake):
    offline = offline_drafts(video)

    def inventive(prompt: str) -> str:
        answer = json.loads(faithful(prompt))
        answer["takeaways"][1]["verbatim"] = "you should always ask for a raise every single week"
        answer["quote"] = "Nobody ever said this sentence in the whole talk at all."
        return json.dumps(answer)

    fake.reply = inventive
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out
    assert f"model {FAKE}: refused 2 quotes (not in the transcript): offline ones kept" in out
    assert f"model {FAKE}: refused 2 takeaways (not in the transcript): offline ones kept" in out
    for lesson, (_, offline_takeaways, offline_quote) in zip(drafted(video), offline, strict=True):
        takeaways = [t.text for t in lesson.takeaways.all()]
        # The faithful two are used (the positive control), the invented one is not: an
        # offline takeaway said elsewhere stands in its place.
        assert sum(t.startswith("Rewritten advice") for t in takeaways) == 2
        assert not any("raise every single week" in t for t in takeaways)
        assert len(takeaways) == 3 and set(takeaways) & set(offline_takeaways)
        assert lesson.suggestions.get().text == offline_quote


def test_the_hosts_words_and_a_few_common_words_are_refused(video, fake):
    def careless(prompt: str) -> str:
        answer = json.loads(faithful(prompt))
        answer["takeaways"][0]["verbatim"] = "you should always negotiate"  # the host's
        answer["takeaways"][1]["verbatim"] = "ask your"
        return json.dumps(answer)

    fake.reply = careless
    out, _ = draft_lessons(video, "--model", FAKE)
    assert "refused 2 takeaways (said by the host)" in out
    assert "refused 2 takeaways (too short to check)" in out
    assert "refused 0" not in out and "refused 2 quotes" not in out  # its quotes held up


def test_nothing_found_leaves_the_draft_as_it_was_title_too(video, fake):
    offline = offline_drafts(video)

    def dreaming(prompt: str) -> str:
        return json.dumps(
            {
                "title": "A title from nowhere",
                "takeaways": [
                    {"text": "Advice", "verbatim": f"words nobody said {n}"} for n in range(2)
                ],
                "quote": "and a quote nobody said either",
            }
        )

    fake.reply = dreaming
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 0 of 2 drafts rewritten" in out
    assert [lesson.title for lesson in drafted(video)] == [title for title, _, _ in offline]
    fake.reply = faithful  # the control: the same passages, their words found
    draft_lessons(video, "--model", FAKE)
    assert drafted(video)[0].title == "Own your promotion <b>early</b>"


def test_spans_are_found_whatever_their_case_spacing_and_punctuation():
    from kb.importers.drafts import Line, Talk

    talk = Talk([Line(10.0, 20.0, "Ask your  manager, today: what's next?", "1")],
                guests=frozenset({"1"}), hosts=frozenset({"2"}))  # fmt: skip
    passage = drafting_llm.Passage(talk, 0.0, 30.0)
    at = passage.find("ask YOUR manager today -- whats", 50)
    assert passage.text(at) == "Ask your manager, today: what's"
    assert passage.words[at[0]][2] == 10.0
    assert passage.find("ask your manager tomorrow", 50) == "not in the transcript"


# ---------------------------------------------------------------- what cannot be used


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (lambda prompt: "Sure! Here is the JSON: {title:", "its answer is not JSON"),
        (
            lambda prompt: json.dumps({"title": "One", "takeaways": [], "quote": "x"}),
            "its answer breaks the schema: takeaways: List should have at least 2 items after "
            "validation, not 0",
        ),
    ],
)
def test_an_answer_that_is_not_the_schema_keeps_the_offline_drafts(video, fake, reply, why):
    offline = offline_drafts(video)
    fake.reply = reply
    out, err = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 0 of 2 drafts rewritten" in out
    assert f"model {FAKE}: 2 drafts kept offline ({why})" in out
    assert offline_drafts_now(video) == offline
    # The positive control: the same passages, answered well, are rewritten.
    fake.reply = faithful
    draft_lessons(video, "--model", FAKE)
    assert offline_drafts_now(video) != offline


def offline_drafts_now(talk):
    return [
        (d.title, [t.text for t in d.takeaways.all()], d.suggestions.get().text)
        for d in drafted(talk)
    ]


def test_a_model_that_raises_keeps_the_offline_drafts_and_says_why(video, fake):
    offline = offline_drafts(video)

    def broken(prompt: str) -> str:
        raise RuntimeError("connection refused by 127.0.0.1:11434")

    fake.reply = broken
    out, _ = draft_lessons(video, "--model", FAKE)
    line = f"model {FAKE}: 2 drafts kept offline (the model failed: connection refused by "
    assert line in out
    assert offline_drafts_now(video) == offline
    fake.reply = faithful  # the control: the same model, answering
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out


def test_a_model_that_hangs_costs_the_timeout_once(video, fake, settings):
    offline = offline_drafts(video)
    settings.DRAFT_MODEL_TIMEOUT = 1
    release = threading.Event()

    def hanging(prompt: str) -> str:
        release.wait(30)
        return faithful(prompt)

    fake.reply = hanging
    try:
        out, _ = draft_lessons(video, "--model", FAKE)
    finally:
        release.set()
    assert f"model {FAKE}: 2 drafts kept offline (no answer within 1 s)" in out
    assert len(fake.asked) == 1  # the second passage was not made to wait too
    assert offline_drafts_now(video) == offline
    fake.reply = faithful  # the control: answering within the second, it is used
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out


def test_a_model_without_its_key_says_how_to_set_one(video, fake, tmp_path):
    offline = offline_drafts(video)
    out, _ = draft_lessons(video, "--model", "kb-fake-keyed")
    assert (
        "model kb-fake-keyed: 2 drafts kept offline (no key: No key found - add one using "
        "'llm keys set kb-fake-keyed')"
    ) in out
    assert offline_drafts_now(video) == offline
    # With the key set, as `llm keys set` does, it works.
    (tmp_path / "llm" / "keys.json").write_text(json.dumps({"kb-fake-keyed": "secret"}))
    out, _ = draft_lessons(video, "--model", "kb-fake-keyed")
    assert "model kb-fake-keyed: 2 of 2 drafts rewritten" in out


def test_an_unknown_model_is_one_line_on_stderr(video, fake):
    offline = offline_drafts(video)
    out, err = draft_lessons(video, "--model", "gpt-nonexistent")
    assert err.strip() == (
        "model gpt-nonexistent: no such model in llm (install its plugin, e.g. llm install "
        "llm-ollama; llm models lists them); the offline drafts are kept"
    )
    assert "drafted 2 lessons" in out and offline_drafts_now(video) == offline
    out, err = draft_lessons(video, "--model", FAKE)  # the control: a model llm has
    assert err == "" and f"model {FAKE}: 2 of 2 drafts rewritten" in out


# ---------------------------------------------------------------- without a model


def test_with_no_model_configured_llm_is_never_imported(video, settings, monkeypatch):
    settings.DRAFT_MODEL = ""
    monkeypatch.setitem(sys.modules, "llm", None)  # any `import llm` now fails
    out, err = draft_lessons(video)
    assert "drafted 2 lessons" in out and "model" not in out + err
    # The control: asked for a model, the same run does import it, and says it cannot.
    settings.DRAFT_MODEL = FAKE
    out, err = draft_lessons(video)
    assert "the llm library is not installed" in err and "drafted 2 lessons" in out


def test_the_web_side_never_loads_llm():
    import subprocess

    code = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings'; "
        "django.setup(); import kb.importers.store, kb.urls, kb.admin; "
        "sys.exit('llm' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---------------------------------------------------------------- editors' work


def test_a_rewrite_changes_no_draft_an_editor_decided_or_edited(video, fake):
    draft_lessons(video, "--offline")
    first, second = drafted(video)
    first.draft_passage.status = Suggestion.DISMISSED
    first.draft_passage.save()
    second.takeaways.update(text="An editor rewrote this takeaway.")
    out, _ = draft_lessons(video, "--model", FAKE)
    assert "drafted 0 lessons" in out and fake.asked == []
    assert set(drafted(video)) == {first, second}
    assert {t.text for t in second.takeaways.all()} == {"An editor rewrote this takeaway."}
    assert QuoteSuggestion.objects.filter(lesson__in=[first, second]).count() == 2


def test_a_models_title_is_escaped_where_editors_see_it(client, editor, video, fake):
    draft_lessons(video, "--model", FAKE)
    client.force_login(editor)
    for url in (reverse("admin:kb_lesson_changelist") + "?machine_draft__exact=1",
                reverse("admin:index")):  # fmt: skip
        page = client.get(url).content.decode()
        assert "<b>early</b>" not in page, url
    page = client.get(reverse("admin:kb_lesson_changelist")).content.decode()
    assert "Own your promotion &lt;b&gt;early&lt;/b&gt;" in page


def test_a_passage_an_editor_decides_while_the_model_works_is_not_drafted_over(video, fake):
    from kb.importers.store import propose_drafts, store_drafts

    draft_lessons(video, "--offline")
    first, second = drafted(video)
    proposal = propose_drafts(video, FAKE)  # the slow part, outside any transaction
    assert len(proposal.drafts) == 2 and proposal.rewritten.rewritten == 2
    first.takeaways.update(text="An editor rewrote this takeaway meanwhile.")
    done = store_drafts(video, proposal=proposal)
    assert done.kept == 1 and done.replaced == 1 and len(done.proposed) == 1
    lessons = drafted(video)
    assert lessons[0] == first and lessons[1].title == "Own your negotiation <b>early</b>"


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"DJANGO_DRAFT_MODEL": " llama3.2 "}, "llama3.2 60"),
        ({"DJANGO_DRAFT_MODEL_TIMEOUT": "5"}, " 5"),
        ({"DJANGO_DRAFT_MODEL_TIMEOUT": "0"}, "DJANGO_DRAFT_MODEL_TIMEOUT must be at least 1"),
        ({"DJANGO_DRAFT_MODEL_TIMEOUT": "soon"}, "DJANGO_DRAFT_MODEL_TIMEOUT must be a whole"),
    ],
)
def test_the_model_and_its_timeout_come_from_the_environment(environment, said):
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(environment, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DRAFT_MODEL, s.DRAFT_MODEL_TIMEOUT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert said in result.stdout + result.stderr


def test_an_answer_in_a_markdown_code_fence_is_still_read(video, fake):
    fake.reply = lambda prompt: f"```json\n{faithful(prompt)}\n```"
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 2 of 2 drafts rewritten" in out
    # The control: a fence around anything else is still not JSON.
    fake.reply = lambda prompt: "```json\nnot the answer\n```"
    out, _ = draft_lessons(video, "--model", FAKE)
    assert f"model {FAKE}: 2 drafts kept offline (its answer is not JSON)" in out
