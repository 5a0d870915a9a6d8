"""The generator's two standard summary templates (issue 38), read as an editor would:
lessons are the advice, not the table of contents, the overview or a grouping heading."""

import pytest

from kb.importers.summary import parse_summary, reading_report
from tests.pages import STANDARD_SUMMARY, generator_page

CHAPTERS = """## Overview
A tour of one engineer's first year on call, chapter by chapter.

## Chapter-by-Chapter Deep Dive

### Asking for help (01:01)
Dana spent an hour alone on a page before calling anyone.
- Page a teammate after twenty minutes stuck.

### The runbook (03:01)
Every incident changed the runbook.
- Change the runbook before you close the incident.

## Cross-Chapter Synthesis
Both chapters say the same thing: share what you know early.

## Actionable Strategies by Chapter

### Asking for help
- Set a timer when you start on a page.

### The runbook
- Link the runbook from the alert itself.
"""


def read(summary):
    return parse_summary(generator_page(summary=summary))


def test_the_standard_template_gives_lessons_of_advice_only():
    page = read(STANDARD_SUMMARY)
    assert page.headline == ""
    assert page.intro.startswith("Three engineers compare notes")
    assert [(s.title, s.takeaways) for s in page.sections] == [
        ("On Asking for Help", ["Page a teammate after twenty minutes stuck.",
                                "Say what you already tried."]),
        ("On Runbooks", ["Change the runbook before you close the incident."]),
        ("Actionable Strategies", ["Keep a log of every page you get.",
                                   "Review the log with your manager monthly."]),
        ("Specific Details & Examples", ["One team cut its pages by half in a quarter."]),
        ("Warnings & Common Mistakes",
         ["Silencing an alert without a ticket hides the next outage."]),
    ]  # fmt: skip
    assert page.resources == ["The team's incident review template."]
    report = reading_report(page)
    assert "left out as boilerplate: Main Topics Covered (a list of the video's topics)" in report
    assert not any("Key Takeaways & Insights" in message for _, message in page.warnings)


def test_the_chapters_template_gives_a_lesson_per_chapter_with_its_strategies():
    page = read(CHAPTERS)
    assert page.intro.startswith("A tour of one engineer's first year")
    assert [(s.title, s.chapter_start, s.takeaways) for s in page.sections] == [
        ("Asking for help", 61, ["Page a teammate after twenty minutes stuck.",
                                 "Set a timer when you start on a page."]),
        ("The runbook", 181, ["Change the runbook before you close the incident.",
                              "Link the runbook from the alert itself."]),
    ]  # fmt: skip
    assert page.conclusion == "Both chapters say the same thing: share what you know early."


@pytest.mark.django_db
def test_a_chapter_lesson_lands_on_its_chapter(tmp_path):
    from kb.importers.pipeline import import_document
    from kb.models import Lesson

    import_document("chapters.txt", generator_page(summary=CHAPTERS).encode())
    assert dict(Lesson.objects.values_list("title", "chapter__title")) == {
        "Asking for help": "Asking for help",
        "The runbook": "The runbook",
    }
