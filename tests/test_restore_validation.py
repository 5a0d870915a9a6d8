"""`import_kb` checks the whole document before it writes: a bad one gets one line
naming the JSON path to blame, exit 1, and nothing changes (issue 13)."""

import copy
import json

import pytest

from kb.models import Chapter, Lesson, Quote, Theme, ThemeRedirect, TranscriptSegment, Video
from tests.helpers import empty_the_database, export, restore

pytestmark = pytest.mark.django_db


def everything():
    return [
        sorted(map(str, model.objects.values_list("pk", flat=True)))
        for model in (Video, Chapter, TranscriptSegment, Lesson, Quote, Theme, ThemeRedirect)
    ]


def set_path(data, keys, value):
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = value


def first_quote_with_a_lesson(data):
    for n, video in enumerate(data["videos"]):
        for m, quote in enumerate(video["quotes"]):
            if quote["lesson"]:
                return n, m
    raise AssertionError("the samples have a quote with a lesson")


def insight_with(evidence):
    return {"title": "An insight", "slug": "an-insight", "summary": "", "status": "draft",
            "themes": [], "evidence": [evidence]}  # fmt: skip


BROKEN = {
    "a top-level list": (lambda d: [d], "$", "not a career-kb/1 export"),
    "a bad date": (
        lambda d: set_path(d, ["videos", 0, "published_on"], "2025-13-45"),
        "$.videos[0].published_on",
        'expected a date like 2025-01-17 or null, got "2025-13-45"',
    ),
    "a string for a number": (
        lambda d: set_path(d, ["videos", 0, "lessons", 0, "start_seconds"], "52:45"),
        "$.videos[0].lessons[0].start_seconds",
        'expected a number or null, got "52:45"',
    ),
    "a negative length": (
        lambda d: set_path(d, ["videos", 1, "duration_seconds"], -5),
        "$.videos[1].duration_seconds",
        "must not be negative",
    ),
    "a missing field": (
        lambda d: d["videos"][0].pop("title"),
        "$.videos[0].title",
        "missing",
    ),
    "duplicate video slugs": (
        lambda d: set_path(d, ["videos", 1, "slug"], d["videos"][0]["slug"]),
        "$.videos[1].slug",
        "is already used at $.videos[0].slug",
    ),
    "duplicate lesson slugs across videos": (
        lambda d: set_path(
            d, ["videos", 1, "lessons", 0, "slug"], d["videos"][0]["lessons"][0]["slug"]
        ),
        "$.videos[1].lessons[0].slug",
        "lesson slug",
    ),
    "a lesson on a chapter that is not there": (
        lambda d: set_path(d, ["videos", 0, "lessons", 0, "chapter"], 99999),
        "$.videos[0].lessons[0].chapter",
        "no chapter starting at 99999 in this export",
    ),
    "a theme that is not there": (
        lambda d: set_path(d, ["videos", 0, "lessons", 0, "themes"], ["no-such-theme"]),
        "$.videos[0].lessons[0].themes[0]",
        'no theme "no-such-theme"',
    ),
    "a quote's lesson that is not there": (
        lambda d: set_path(
            d,
            ["videos", 0, "quotes"],
            [
                {
                    **(
                        d["videos"][0]["quotes"]
                        or [
                            {
                                "text": "x",
                                "speaker": "",
                                "start_seconds": 1,
                                "end_seconds": 2,
                                "status": "draft",
                                "chapter": None,
                                "themes": [],
                            }
                        ]
                    )[0],
                    "lesson": "gone-lesson",
                }
            ],
        ),
        "$.videos[0].quotes[0].lesson",
        'no lesson of this video with slug "gone-lesson"',
    ),  # fmt: skip
    "a broken segment": (
        lambda d: set_path(d, ["videos", 0, "segments", 3], [1.0, "two", "words", False, 0]),
        "$.videos[0].segments[3][1]",
        'expected a number, got "two"',
    ),
    "a redirect to a missing theme": (
        lambda d: d["theme_redirects"].append({"old_slug": "old", "theme": "vanished"}),
        "$.theme_redirects[0].theme",
        'no theme "vanished"',
    ),
    "a person's link that is not a web address": (
        lambda d: d.setdefault("people", []).insert(
            0, {"name": "Eve", "slug": "eve", "bio": "", "link": "javascript:alert(1)"}
        ),
        "$.people[0].link",
        "expected an http:// or https:// address",
    ),
    "a credit for a person not there": (
        lambda d: (
            d["videos"][0]
            .setdefault("credits", [])
            .insert(0, {"person": "nobody", "role": "guest", "position": 0})
        ),
        "$.videos[0].credits[0].person",
        'no person "nobody"',
    ),
    "a theme offered twice to one lesson": (
        lambda d: d["videos"][0]["lessons"][0].__setitem__(
            "theme_suggestions",
            [{"theme": "mentoring", "confidence": 0.1, "status": "open"}] * 2,
        ),
        "$.videos[0].lessons[0].theme_suggestions[1].theme",
        'suggested theme "mentoring" is already used at '
        "$.videos[0].lessons[0].theme_suggestions[0].theme",
    ),
    "evidence that is both a lesson and a quote": (
        lambda d: d.__setitem__(
            "insights",
            [
                insight_with(
                    {
                        "stance": "supports",
                        "note": "",
                        "position": 0,
                        "lesson": d["videos"][0]["lessons"][0]["slug"],
                        "quote": {"video": d["videos"][0]["slug"], "number": 0},
                    }
                )
            ],
        ),
        "$.insights[0].evidence[0]",
        "evidence is a lesson or a quote: give exactly one",
    ),  # fmt: skip
    "evidence of a quote that is not there": (
        lambda d: d.__setitem__(
            "insights",
            [
                insight_with(
                    {
                        "stance": "supports",
                        "note": "",
                        "position": 0,
                        "lesson": None,
                        "quote": {"video": d["videos"][0]["slug"], "number": 999},
                    }
                )
            ],
        ),
        "$.insights[0].evidence[0].quote.number",
        "no quote number 999 in this export",
    ),  # fmt: skip
    "a proposal of an unknown lesson": (
        lambda d: set_path(d, ["insight_proposals", 0, "lessons", 0, 0], "no-such-lesson"),
        "$.insight_proposals[0].lessons[0][0]",
        'no lesson "no-such-lesson" in this export',
    ),
    "a wrong status": (
        lambda d: set_path(d, ["videos", 0, "status"], "live"),
        "$.videos[0].status",
        'expected one of draft, published, got "live"',
    ),
    "a number no column holds": (
        lambda d: set_path(d, ["videos", 1, "duration_seconds"], 2**40),
        "$.videos[1].duration_seconds",
        "must not be larger than 2147483647, got 1099511627776",
    ),
    "a published machine draft": (
        lambda d: d["videos"][0]["lessons"][0].update(machine_draft=True, status="published"),
        "$.videos[0].lessons[0].status",
        "a machine draft can't be published: accept it first",
    ),
    "a drafted passage of another video's lesson": (
        lambda d: set_path(
            d,
            ["videos", 0, "draft_passages"],
            [
                {
                    "start_seconds": 0,
                    "end_seconds": 300,
                    "title": "Ask",
                    "score": 1.0,
                    "status": "open",
                    "lesson": d["videos"][1]["lessons"][0]["slug"],
                }
            ],
        ),
        "$.videos[0].draft_passages[0].lesson",
        "no lesson of this video with slug",
    ),  # fmt: skip
    "free-form notes nested without end": (
        lambda d: set_path(d, ["videos", 0, "imported"], json.loads("[" * 200 + "]" * 200)),
        "$.videos[0].imported",
        "nested deeper than 32 levels",
    ),
}


@pytest.fixture(scope="module")
def exported_once(samples_once, django_db_blocker):
    """The samples' export, made once for the file (conftest.samples_once)."""
    with django_db_blocker.unblock():
        return json.loads(export())


@pytest.fixture
def exported(exported_once):
    """The samples' export: the test's own copy to break."""
    return copy.deepcopy(exported_once)


@pytest.mark.parametrize("database", ["empty", "not empty"])
@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_export_is_refused_with_its_json_path(tmp_path, exported, case, database):
    mutate, where, message = BROKEN[case]
    data = copy.deepcopy(exported)
    data = mutate(data) if case == "a top-level list" else (mutate(data), data)[1]
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    if database == "empty":
        empty_the_database()
    before = everything()
    assert bool(before[0]) == (database == "not empty")  # the samples' videos, or none
    code, err = restore(path)
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {path}: {where}: "), err
    assert message in err
    assert everything() == before


NOT_AN_EXPORT = {
    "nested a hundred thousand deep": ("[" * 100_000, "", "nested too deeply"),
    "a number of 5,000 digits": (
        '{"schema": "career-kb/1",\n "themes": [' + "9" * 5000 + "]}",
        ":2",
        "a number of 5000 digits",
    ),
    "a number past any float": (
        '{"schema": "career-kb/1",\n\n "x": 1' + "0" * 5000 + ".5}",
        ":3",
        "a number too large to store (10000000000000000000…)",
    ),
    "NaN": ('{"schema": "career-kb/1", "x": NaN}', ":1", "NaN is not a number JSON allows"),
}


@pytest.mark.parametrize("case", NOT_AN_EXPORT)
@pytest.mark.usefixtures("samples_once")
def test_a_file_no_export_could_be_is_refused_with_one_line(tmp_path, case):
    content, line, message = NOT_AN_EXPORT[case]
    path = tmp_path / "kb.json"
    path.write_text(content, encoding="utf-8")
    before = everything()
    code, err = restore(path)
    assert code == 1
    assert err == f"error: {path}{line}: not JSON a restore takes: {message}\n"
    assert everything() == before


def test_a_file_that_is_not_json_names_its_line(tmp_path):
    path = tmp_path / "kb.json"
    path.write_text('{\n  "schema": "career-kb/1",\n  "themes": [,]\n}')
    code, err = restore(path)
    assert code == 1 and err.startswith(f"error: {path}:3: not JSON: ")


def test_an_export_from_before_video_identities_still_restores(tmp_path, exported):
    for video in exported["videos"]:
        video.pop("import_key")
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    empty_the_database()
    assert restore(path) == (0, "")
    assert Video.objects.count() == len(exported["videos"])
