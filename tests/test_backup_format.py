"""The backup format (kb.exchange_schema, kb.exchange_references), rule by rule, on a small
document built here: no database, so each case takes milliseconds. The restore command's
own cases, on an export of the samples, are in test_restore_validation.py."""

import copy
import io
import json

import pytest
from django.core.management import call_command

from kb.exchange import ExchangeError, check, export_data
from kb.exchange_schema import Backup, Member, Segment, row
from tests.factories import LessonFactory

V = ["videos", 0]
LESSON = [*V, "lessons", 0]


def document() -> dict:
    """One of everything the format holds, each value valid, in the order export writes."""
    return {
        "schema": "career-kb/1",
        "themes": [
            {"name": "Mentoring", "slug": "mentoring", "description": "", "cues": ["mentor"]},
            {"name": "Hiring", "slug": "hiring", "description": "Who joins.", "cues": []},
        ],
        "theme_redirects": [{"old_slug": "coaching", "theme": "mentoring"}],
        "people": [
            {"name": "Ann Example", "slug": "ann", "bio": "", "link": "https://example.org"},
            {"name": "Bo Host", "slug": "bo", "bio": "Hosts.", "link": ""},
        ],
        "person_redirects": [{"old_slug": "ann-e", "person": "ann"}],
        "videos": [
            {
                "slug": "a-talk", "title": "A talk", "channel": "Chan",
                "published_on": "2025-01-17", "duration_seconds": 600, "youtube_id": "abcdefghijk",
                "status": "published", "headline": "", "description": "", "intro": "",
                "conclusion": "", "resources": [{"title": "A book"}], "transcript_exact": True,
                "import_key": "key-1", "source_hash": "0" * 64, "imported": {"notes": [1, 2]},
                "credits": [{"person": "ann", "role": "guest", "position": 0},
                            {"person": "bo", "role": "host", "position": 0}],
                "chapters": [{"title": "Start", "start_seconds": 0},
                             {"title": "More", "start_seconds": 60}],
                "segments": [[0.5, 4.0, "Hello there.", True, 0],
                             [61.0, 64.5, "Mentors matter.", True, 60, "ann"]],
                "lessons": [
                    {
                        "slug": "find-a-mentor", "title": "Find a mentor", "body": "Do it.",
                        "status": "published", "start_seconds": 61.0, "position": 0,
                        "import_key": "find-a-mentor", "imported": {}, "keywords": "mentor",
                        "chapter": 60, "themes": ["mentoring"], "people": ["ann"],
                        "takeaways": [{"text": "Ask", "position": 0, "start_seconds": None,
                                       "score": 0.5, "confirmed": False}],
                        "suggestions": [{"text": "Mentors matter.", "start_seconds": 61.0,
                                         "end_seconds": 64.5, "score": -0.25, "rank": 1,
                                         "status": "accepted", "chapter": 60, "quote": 0}],
                        "theme_suggestions": [{"theme": "hiring", "confidence": 0.4,
                                               "status": "dismissed"}],
                        "machine_draft": False,
                    },
                    {
                        "slug": "ask-early", "title": "Ask early", "body": "", "status": "draft",
                        "start_seconds": 0.5, "position": 1, "import_key": "", "imported": {},
                        "keywords": "", "chapter": 0, "themes": [], "people": [],
                        "takeaways": [], "suggestions": [], "theme_suggestions": [],
                        "machine_draft": True,
                    },
                ],
                "quotes": [{"text": "Mentors matter.", "speaker": "Ann", "person": "ann",
                            "start_seconds": 61.0, "end_seconds": 64.5, "status": "draft",
                            "chapter": 60, "lesson": "find-a-mentor", "themes": ["mentoring"]}],
                "draft_passages": [
                    {"start_seconds": 0.5, "end_seconds": 4.0, "title": "Ask early",
                     "score": 0.7, "status": "open", "lesson": "ask-early"},
                    {"start_seconds": 61.0, "end_seconds": 64.5, "title": "Mentors",
                     "score": 0.2, "status": "dismissed", "lesson": None},
                ],
            },
            {
                "slug": "another", "title": "Another", "channel": "", "published_on": None,
                "duration_seconds": 30, "youtube_id": "", "status": "draft", "headline": "",
                "description": "", "intro": "", "conclusion": "", "resources": [],
                "transcript_exact": False, "import_key": "", "source_hash": "",
                "imported": {}, "credits": [], "chapters": [], "segments": [],
                "lessons": [
                    {
                        "slug": "say-no", "title": "Say no", "body": "", "status": "draft",
                        "start_seconds": None, "position": 0, "import_key": "", "imported": {},
                        "keywords": "", "chapter": None, "themes": [], "people": [],
                        "takeaways": [], "suggestions": [], "theme_suggestions": [],
                        "machine_draft": False,
                    },
                ],
                "quotes": [],
                "draft_passages": [],
            },
        ],
        "insights": [
            {
                "title": "Mentors help", "slug": "mentors-help", "summary": "",
                "status": "published", "themes": ["mentoring"],
                "evidence": [
                    {"stance": "supports", "note": "", "position": 0, "lesson": "find-a-mentor",
                     "quote": None},
                    {"stance": "contrasts", "note": "In her words", "position": 1,
                     "lesson": None, "quote": {"video": "a-talk", "number": 0}},
                ],
            },
        ],
        "insight_proposals": [
            {"kind": "agree", "title": "Both", "score": 0.8, "status": "open",
             "theme": "mentoring", "insight": "mentors-help",
             "lessons": [["find-a-mentor", "supports"], ["say-no", "contrasts"]]},
        ],
    }  # fmt: skip


def changed(path, value):
    """The document with the value at `path` replaced (or taken out: `value` is KeyError)."""
    data = document()
    place = data
    for key in path[:-1]:
        place = place[key]
    if value is KeyError:
        place.pop(path[-1])
    else:
        place[path[-1]] = value
    return data


def refusal(data) -> str:
    with pytest.raises(ExchangeError) as refused:
        check(data)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_document_is_a_backup_and_writes_back_as_it_was_read():
    data = document()
    backup = check(copy.deepcopy(data))
    assert json.loads(json.dumps(backup.model_dump())) == data
    # A transcript line names who speaks only when the transcript does.
    assert [len(line) for line in backup.videos[0].segments] == [5, 6]


def test_exports_from_before_each_addition_still_read():
    """Each of these came after career-kb/1 was first written; an export without them reads,
    and each reads as what a restore then stores: nothing, an empty text, no one."""
    data = document()
    for key in ("people", "person_redirects", "insights", "insight_proposals"):
        data.pop(key)
    for video in data["videos"]:
        for key in ("import_key", "credits", "description", "draft_passages"):
            video.pop(key)
        video["segments"] = [line[:5] for line in video["segments"]]
        for lesson in video["lessons"]:
            for key in ("people", "theme_suggestions", "machine_draft"):
                lesson.pop(key)
        for quote in video["quotes"]:
            quote.pop("person")
    backup = check(data)
    video = backup.videos[0]
    assert (video.import_key, video.credits, video.description) == ("", [], "")
    assert (backup.people, backup.insights, backup.insight_proposals) == ([], [], [])
    assert video.lessons[0].people == [] and video.quotes[0].person is None
    assert video.draft_passages == [] and not video.lessons[1].machine_draft


def test_keys_the_format_does_not_know_are_left_out():
    data = changed([*V, "views"], 12)
    data["extra"] = {"anything": True}
    backup = check(data)
    assert "views" not in backup.videos[0].model_dump()
    assert "extra" not in backup.model_dump()
    assert backup.videos[0].model_dump()["title"] == "A talk"  # what it knows is kept


def test_a_value_python_built_is_checked_as_one_read_from_a_file():
    """A file cannot hold NaN (kb.importers.documents.strict_json refuses it); the models
    refuse it too, so that export never writes one."""
    message = refusal(changed([*LESSON, "start_seconds"], float("nan")))
    assert message == "$.videos[0].lessons[0].start_seconds: expected a number or null, got NaN"
    message = refusal(changed([*LESSON, "takeaways", 0, "score"], float("inf")))
    assert message.endswith("score: expected a number or null, got Infinity")


ACCEPTED = {
    "a date Python reads in its short form": ([*V, "published_on"], "20250117"),
    "a negative score": ([*LESSON, "suggestions", 0, "score"], -2147483647),
    "free-form notes nested 33 deep": ([*V, "imported"], json.loads("[" * 33 + "]" * 33)),
    "a link in capitals": (["people", 0, "link"], "HTTPS://EXAMPLE.ORG"),
    "a link with a line break after it": (["people", 0, "link"], "https://example.org\n"),
    "a line that ends as it starts": ([*V, "segments", 0], [4.0, 4.0, "", True, None]),
    "the largest number": ([*V, "duration_seconds"], 2147483647),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_a_value_at_the_edge_of_a_rule_is_accepted(case):
    backup = check(changed(*ACCEPTED[case]))  # refused: ExchangeError
    assert backup.videos[0].slug == "a-talk"


REFUSED = {
    # The document itself
    "not an object": (None, [1], "$: not a career-kb/1 export: expected an object, got a list"),
    "another schema": (["schema"], "career-kb/2",
                       "$: not a career-kb/1 export (its 'schema' says \"career-kb/2\")"),
    "a list missing": (["videos"], KeyError, "$.videos: missing"),
    "a field missing": ([*LESSON, "takeaways", 0, "confirmed"], KeyError,
                        "$.videos[0].lessons[0].takeaways[0].confirmed: missing"),
    # Kinds of value
    "a number for a text": (["themes", 0, "description"], 5,
                            "$.themes[0].description: expected a string, got 5"),
    "null for a text": ([*V, "channel"], None, "$.videos[0].channel: expected a string, got null"),
    "an object for a list": ([*V, "chapters"], {},
                             "$.videos[0].chapters: expected a list, got an object"),
    "a text for an object": ([*V, "credits", 0], "ann",
                             '$.videos[0].credits[0]: expected an object, got "ann"'),
    "a number for true or false": ([*V, "transcript_exact"], 1,
                                   "$.videos[0].transcript_exact: expected true or false, got 1"),
    "true for a number": ([*LESSON, "suggestions", 0, "score"], True,
                          "$.videos[0].lessons[0].suggestions[0].score: expected a number, "
                          "got true"),
    "true for a whole number": ([*V, "duration_seconds"], True,
                                "$.videos[0].duration_seconds: expected a whole number, got true"),
    "1.0 for a whole number": ([*V, "chapters", 0, "start_seconds"], 1.0,
                               "$.videos[0].chapters[0].start_seconds: expected a whole number, "
                               "got 1.0"),
    "a text for a whole number or null": ([*LESSON, "chapter"], "60",
                                          '$.videos[0].lessons[0].chapter: expected a whole '
                                          'number or null, got "60"'),
    # Lengths, ranges, choices
    "a slug too long": (["themes", 0, "slug"], "s" * 101,
                        "$.themes[0].slug: longer than 100 characters"),
    "a YouTube id too long": ([*V, "youtube_id"], "x" * 12,
                              "$.videos[0].youtube_id: longer than 11 characters"),
    "a blank title": ([*LESSON, "title"], " \t", "$.videos[0].lessons[0].title: must not be empty"),
    "an empty quote": ([*V, "quotes", 0, "text"], "",
                       "$.videos[0].quotes[0].text: must not be empty"),
    "a negative position": ([*V, "credits", 0, "position"], -1,
                            "$.videos[0].credits[0].position: must not be negative, got -1"),
    "a negative confidence": ([*LESSON, "theme_suggestions", 0, "confidence"], -0.5,
                              "$.videos[0].lessons[0].theme_suggestions[0].confidence: "
                              "must not be negative, got -0.5"),
    "a score past the smallest": ([*LESSON, "suggestions", 0, "score"], -2147483648,
                                  "$.videos[0].lessons[0].suggestions[0].score: must not be "
                                  "smaller than -2147483647, got -2147483648"),
    "seconds past the largest": ([*V, "quotes", 0, "end_seconds"], 2147483648.0,
                                 "$.videos[0].quotes[0].end_seconds: must not be larger than "
                                 "2147483647, got 2147483648.0"),
    "a role": ([*V, "credits", 1, "role"], "co-host",
               '$.videos[0].credits[1].role: expected one of guest, host, got "co-host"'),
    "a decision": ([*LESSON, "theme_suggestions", 0, "status"], "maybe",
                   "$.videos[0].lessons[0].theme_suggestions[0].status: expected one of open, "
                   'accepted, dismissed, got "maybe"'),
    "a stance": (["insights", 0, "evidence", 0, "stance"], "for",
                 '$.insights[0].evidence[0].stance: expected one of supports, contrasts, '
                 'got "for"'),
    "a proposal's kind": (["insight_proposals", 0, "kind"], "same",
                          '$.insight_proposals[0].kind: expected one of agree, differ, '
                          'got "same"'),
    "a date": ([*V, "published_on"], "17/01/2025",
               '$.videos[0].published_on: expected a date like 2025-01-17 or null, '
               'got "17/01/2025"'),
    "free-form notes nested 34 deep": ([*V, "resources"], [json.loads("[" * 34 + "]" * 34)],
                                       "$.videos[0].resources[0]: nested deeper than 32 levels"),
    "a link that runs script": (["people", 1, "link"], "javascript:alert(1)",
                                "$.people[1].link: expected an http:// or https:// address, "
                                'got "javascript:alert(1)"'),
    "a link to a file server": (["people", 1, "link"], "ftp://example.org",
                                "$.people[1].link: expected an http:// or https:// address, "
                                'got "ftp://example.org"'),
    # Rows
    "a line of four": ([*V, "segments", 0], [0.5, 4.0, "Hello", True],
                       "$.videos[0].segments[0]: expected [start, end, text, exact, "
                       "chapter(, speaker)], got a list"),
    "a line of seven": ([*V, "segments", 0], [0.5, 4.0, "Hello", True, 0, "ann", "bo"],
                        "$.videos[0].segments[0]: expected [start, end, text, exact, "
                        "chapter(, speaker)], got a list"),
    "a line as an object": ([*V, "segments", 0], {"start": 0.5},
                            "$.videos[0].segments[0]: expected [start, end, text, exact, "
                            "chapter(, speaker)], got an object"),
    "a line's speaker null": ([*V, "segments", 1], [61.0, 64.5, "Hi", True, 60, None],
                              "$.videos[0].segments[1][5]: expected a string, got null"),
    "a line's text a number": ([*V, "segments", 0], [0.5, 4.0, 7, True, 0],
                               "$.videos[0].segments[0][2]: expected a string, got 7"),
    "a line that ends before it starts": ([*V, "segments", 1], [61.0, 60.5, "Hi", True, 60],
                                          "$.videos[0].segments[1][1]: ends (60.5) before it "
                                          "starts (61.0)"),
    "a machine draft published": ([*V, "lessons", 1, "status"], "published",
                                  "$.videos[0].lessons[1].status: a machine draft can't be "
                                  "published: accept it first"),
    "a machine draft said as 1": ([*LESSON, "machine_draft"], 1,
                                  "$.videos[0].lessons[0].machine_draft: expected true or "
                                  "false, got 1"),
    "a passage that ends before it starts": ([*V, "draft_passages", 0, "end_seconds"], 0.25,
                                             "$.videos[0].draft_passages[0].end_seconds: ends "
                                             "before it starts"),
    "a passage of another video's lesson": ([*V, "draft_passages", 1, "lesson"], "say-no",
                                            "$.videos[0].draft_passages[1].lesson: no lesson "
                                            'of this video with slug "say-no" in this export'),
    "a lesson drafted from two passages": ([*V, "draft_passages", 1, "lesson"], "ask-early",
                                           "$.videos[0].draft_passages[1].lesson: drafted "
                                           'lesson "ask-early" is already used at '
                                           "$.videos[0].draft_passages[0].lesson"),
    "a proposal's lesson of one": (["insight_proposals", 0, "lessons", 1], ["say-no"],
                                   "$.insight_proposals[0].lessons[1]: expected [lesson slug, "
                                   "stance], got a list"),
    # What holds the document together
    "a quote that ends before it starts": ([*V, "quotes", 0, "end_seconds"], 60.0,
                                           "$.videos[0].quotes[0].end_seconds: ends before it "
                                           "starts"),
    "a suggestion that ends before it starts": ([*LESSON, "suggestions", 0, "end_seconds"], 1.0,
                                                "$.videos[0].lessons[0].suggestions[0]"
                                                ".end_seconds: ends before it starts"),
    "evidence of nothing": (["insights", 0, "evidence", 0, "lesson"], None,
                            "$.insights[0].evidence[0]: evidence is a lesson or a quote: "
                            "give exactly one"),
    "a theme's name twice": (["themes", 1, "name"], "MENTORING",
                             '$.themes[1].name: theme name "mentoring" is already used at '
                             "$.themes[0].name"),
    "an old theme slug twice": (["theme_redirects"],
                                [{"old_slug": "x", "theme": "hiring"}] * 2,
                                '$.theme_redirects[1].old_slug: old theme slug "x" is already '
                                "used at $.theme_redirects[0].old_slug"),
    "a person's name twice": (["people", 1, "name"], "ann example",
                              '$.people[1].name: person name "ann example" is already used at '
                              "$.people[0].name"),
    "a person redirect to no one": (["person_redirects", 0, "person"], "cy",
                                    '$.person_redirects[0].person: no person "cy" in this '
                                    "export"),
    "a YouTube id twice": (["videos", 1, "youtube_id"], "abcdefghijk",
                           '$.videos[1].youtube_id: YouTube id "abcdefghijk" is already used '
                           "at $.videos[0].youtube_id"),
    "a credit twice": ([*V, "credits", 1], {"person": "ann", "role": "guest", "position": 1},
                       '$.videos[0].credits[1]: credit ["ann", "guest"] is already used at '
                       "$.videos[0].credits[0]"),
    "a chapter start twice": ([*V, "chapters", 1, "start_seconds"], 0,
                              "$.videos[0].chapters[1].start_seconds: chapter start 0 is "
                              "already used at $.videos[0].chapters[0].start_seconds"),
    "a line in no chapter": ([*V, "segments", 0, 4], 30,
                             "$.videos[0].segments[0][4]: no chapter starting at 30 in this "
                             "export"),
    "a line said by no one": ([*V, "segments", 1, 5], "cy",
                              '$.videos[0].segments[1][5]: no person "cy" in this export'),
    "a suggestion of no quote": ([*LESSON, "suggestions", 0, "quote"], 1,
                                 "$.videos[0].lessons[0].suggestions[0].quote: no quote number "
                                 "1 in this export"),
    "a quote by no one": ([*V, "quotes", 0, "person"], "cy",
                          '$.videos[0].quotes[0].person: no person "cy" in this export'),
    "an insight's theme": (["insights", 0, "themes", 0], "calm",
                           '$.insights[0].themes[0]: no theme "calm" in this export'),
    "evidence of another lesson": (["insights", 0, "evidence", 0, "lesson"], "gone",
                                   '$.insights[0].evidence[0].lesson: no lesson "gone" in this '
                                   "export"),
    "evidence in no video": (["insights", 0, "evidence", 1, "quote", "video"], "gone",
                             '$.insights[0].evidence[1].quote.video: no video "gone" in this '
                             "export"),
    "the same evidence twice": (["insights", 0, "evidence", 1],
                                {"stance": "supports", "note": "", "position": 1,
                                 "lesson": "find-a-mentor", "quote": None},
                                '$.insights[0].evidence[1]: evidence "find-a-mentor" is '
                                "already used at $.insights[0].evidence[0]"),
    "a proposal of no insight": (["insight_proposals", 0, "insight"], "gone",
                                 '$.insight_proposals[0].insight: no insight "gone" in this '
                                 "export"),
    "a proposal with one lesson twice": (["insight_proposals", 0, "lessons", 1],
                                         ["find-a-mentor", "contrasts"],
                                         '$.insight_proposals[0].lessons[1]: lesson '
                                         '"find-a-mentor" is already used at '
                                         "$.insight_proposals[0].lessons[0]"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_a_value_past_a_rule_is_refused_in_one_line_naming_its_path(case):
    path, value, message = REFUSED[case]
    data = value if path is None else changed(path, value)
    assert refusal(data) == message


def test_the_first_value_to_blame_is_named_of_several():
    data = changed([*V, "title"], 5)
    data["videos"][1]["title"] = 6
    assert refusal(data) == "$.videos[0].title: expected a string, got 5"


def test_a_row_is_a_fixed_list_read_as_a_tuple():
    from pydantic import TypeAdapter

    assert TypeAdapter(Member).validate_python(["a", "supports"]) == ("a", "supports")
    assert TypeAdapter(Segment).validate_python([1, 2, "x", False, None]) == (
        1.0, 2.0, "x", False, None,
    )  # fmt: skip
    pair = TypeAdapter(row("[a, b]", str, int, optional=True))
    assert pair.validate_python(["a"]) == ("a",) and pair.validate_python(["a", 1]) == ("a", 1)


@pytest.mark.django_db
def test_export_refuses_in_one_line_what_no_restore_would_take():
    """The database should never hold a value the format refuses; if it does, export_kb
    says where instead of writing a backup that will not restore."""
    lesson = LessonFactory(title="Fine")
    type(lesson).objects.filter(pk=lesson.pk).update(title="  ")
    with pytest.raises(ExchangeError) as refused:
        export_data()
    assert str(refused.value) == (
        "the knowledge base does not fit its backup format: "
        "$.videos[0].lessons[0].title: must not be empty"
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("export_kb", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert err.getvalue() == f"error: {refused.value}\n"


@pytest.mark.django_db
def test_export_writes_through_the_models():
    LessonFactory(title="Fine")
    data = json.loads(json.dumps(export_data()))
    assert json.loads(json.dumps(Backup.model_validate(data).model_dump())) == data
