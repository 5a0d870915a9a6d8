"""The summary's sections: titles told from prose by the page's structure, bodies,
takeaways under their label (or a section of bullets), and the generator's standard
templates."""

import re

from kb.importers.documents import DocumentError
from kb.importers.summary.page import (
    BULLET,
    CHAPTER_COUNT,
    EMPHASIS,
    HEADING,
    LEADING_MARKS,
    NUMBERED,
    SENTENCE_END,
    TITLE_MAX_CHARS,
    Block,
    Section,
    SummaryPage,
    _is_list_item,
    _is_marker,
    _Line,
)
from kb.timecodes import parse_timecode

# The page's list of chapters under "📝 Transcript Chapters": `• Intro - 0:00`.
CHAPTER_LIST_ITEM = re.compile(
    r"^\s*[•\-*]\s+(?:\*\*)?(?P<title>.+?)(?:\*\*)?\s+[-–—]\s+(?P<clock>\d{1,3}:\d{2}(?::\d{2})?)"
    r"\W*$"
)


# A section titled with its chapter's start, as the chapters template writes it:
# `### Getting into programming (01:28)`.
TITLE_TIME = re.compile(r"\s*[(\[](?P<clock>\d{1,3}:\d{2}(?::\d{2})?)[)\]]\s*$")


TAKEAWAY_LABEL = re.compile(
    r"^(?P<prefix>(?:key|main|top|the)\s+)?"
    r"(?P<word>take-?aways?|points?|lessons?(?:\s+learned)?|insights?|learnings?|"
    r"action\s+items?|actionable\s+(?:tips|advice|steps|insights|takeaways))"
    r"\s*(?P<colon>[:：]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)


RESOURCES_TITLE = re.compile(
    r"^(resources|further reading|links|references|recommended\s+(reading|resources|books)"
    r"|books\s+(and\s+\w+\s+)?mentioned|tools\s+mentioned)\b",
    re.IGNORECASE,
)


CONCLUSION_TITLE = re.compile(
    r"^(conclusion|in conclusion|final thoughts|closing thoughts|wrapping up|the bottom line"
    r"|bottom line)\b",
    re.IGNORECASE,
)


CALL_TO_ACTION = re.compile(
    r"\b(comment|subscribe|share your|reach out|let us know|let me know|follow us|like and)\b",
    re.IGNORECASE,
)


CLOSING_QUOTES = "\"'”’»"


TITLE_MAX_WORDS = 16


QUESTION_TITLE_MAX_WORDS = 8


# A title in sentence case that ends like a sentence is short ("Ask for help early.").
SENTENCE_TITLE_MAX_WORDS = 10


# An intro longer than this many paragraphs probably swallowed section titles.
LONG_INTRO_PARAGRAPHS = 4


def _parse_summary_part(page: SummaryPage, lines: list[str], start: int, end: int) -> list:
    """Read the summary into `page`; returns the chapters its chapter list names
    ((title, start, line), from `• Intro - 0:00` lines under a chapters marker)."""
    items: list[_Line] = []
    listed: list[tuple[str, int, int]] = []
    blanks = 0
    in_list = False
    for index in range(start, end):
        raw = lines[index]
        if not raw.strip():
            blanks += 1
            continue
        if _is_marker(raw) or CHAPTER_COUNT.match(raw.strip()):
            blanks = 0
            in_list = bool(CHAPTER_COUNT.match(raw.strip()))
            continue
        listed_item = CHAPTER_LIST_ITEM.match(raw) if in_list else None
        if listed_item:
            try:
                listed.append(
                    (
                        _unmark(listed_item.group("title")),
                        parse_timecode(listed_item.group("clock")),
                        index + 1,
                    )
                )
            except ValueError as exc:
                raise DocumentError(f"the chapter list: {exc}", index + 1) from None
            continue
        in_list = False
        items.append(_Line(index + 1, raw.rstrip(), blanks))
        blanks = 0
    items = _drop_call_to_action(page, items)
    if not items:
        return listed

    position = 0
    if _template_role(_clean(items[0].text)) == "intro":
        position = 1  # the standard templates open with `## Overview`: no headline
    elif not _is_list_item(items[0].text) and _label(items[0].text) is None:
        page.headline = _clean(items[0].text)
        position = 1
    titles = _find_titles(page, items, position)
    intro = []
    while position < len(items) and position not in titles:
        intro.append(items[position].text.strip())
        position += 1
    page.intro = "\n\n".join(intro)
    if len(intro) > LONG_INTRO_PARAGRAPHS:
        page.warnings.append(
            (items[0].number, f"the intro has {len(intro)} paragraphs: are section titles "
             "missing? (each title on a line of its own)")
        )  # fmt: skip

    section: Section | None = None
    body_lines: list[_Line] = []
    for index in range(position, len(items)):
        if index in titles:
            if section is not None:
                _finish_section(page, section, body_lines)
            section, body_lines = _new_section(titles[index], items[index].number), []
        else:
            body_lines.append(items[index])
    if section is not None:
        _finish_section(page, section, body_lines)
    _apply_templates(page)
    return listed


# The generator's standard summary templates (without a custom prompt) name their parts;
# what each part is to an editor (docs/importing.md, "The standard summary templates"):
TEMPLATE_ROLES = {
    "overview": "intro",
    "main topics covered": "contents",
    "main topics": "contents",
    "chapter by chapter deep dive": "heading",
    "cross chapter synthesis": "conclusion",
    "actionable strategies by chapter": "by chapter",
    "key takeaways and insights": "lesson",
    "actionable strategies": "lesson",
    "specific details and examples": "lesson",
    "warnings and common mistakes": "lesson",
}


def _template_role(title: str) -> str:
    key = " ".join(re.sub(r"[^\w]+", " ", title.casefold().replace("&", " and ")).split())
    return TEMPLATE_ROLES.get(key, "")


def _apply_templates(page: SummaryPage) -> None:
    """Read the standard templates' parts as an editor would: the overview is the intro,
    the list of topics a table of contents (no lesson), a heading with nothing of its own
    only groups the lessons under it, the cross-chapter synthesis is the conclusion, and
    the strategies listed by chapter are takeaways of those chapters' lessons."""
    kept: list[Section] = []
    dropped: set[int] = set()
    by_chapter = False
    for section in page.sections:
        role = _template_role(section.title)
        if role:
            by_chapter = role == "by chapter"
        empty = not section.blocks and not section.takeaways
        if role == "intro":
            page.intro = "\n\n".join(p for p in (page.intro, _as_text(section)) if p)
        elif role == "contents":
            page.boilerplate.append(f"{section.title} (a list of the video's topics)")
        elif role == "conclusion":
            page.conclusion = "\n\n".join(p for p in (page.conclusion, _as_text(section)) if p)
        elif empty or role in ("heading", "by chapter"):
            if not empty and role == "by chapter":
                kept.append(section)  # strategies not grouped by chapter: one lesson
                continue
            if not empty:
                page.intro = "\n\n".join(p for p in (page.intro, section.body) if p)
        elif by_chapter and not role:
            target = _chapter_lesson(kept, section)
            if target is None:
                kept.append(section)
                continue
            target.takeaways += section.takeaways + [
                item for b in section.blocks if b.kind != "p" for item in b.items
            ]
        else:
            kept.append(section)
            continue
        dropped.add(section.line)
    page.sections = kept
    page.warnings = [
        (line, message)
        for line, message in page.warnings
        if not (line in dropped and message.endswith("has no takeaways"))
    ]


def _as_text(section: Section) -> str:
    return "\n\n".join(p for p in (section.body, *section.takeaways) if p)


def _chapter_lesson(kept: list[Section], section: Section) -> Section | None:
    """The chapter's lesson (`### Title (01:28)` in the deep dive) that a part of the
    strategies by chapter is about: same chapter start, or same title."""
    for lesson in kept:
        if section.chapter_start is not None and lesson.chapter_start == section.chapter_start:
            return lesson
        if lesson.chapter_start is not None and lesson.title.casefold() == section.title.casefold():
            return lesson
    return None


def _new_section(title: str, number: int) -> Section:
    """A section; one titled with a chapter's start (`Getting in (01:28)`) keeps it apart."""
    timed = TITLE_TIME.search(title)
    if timed and timed.start() > 0:
        try:
            start = parse_timecode(timed.group("clock"))
        except ValueError:
            return Section(title, number)
        return Section(title[: timed.start()].strip(), number, chapter_start=start)
    return Section(title, number)


def _drop_call_to_action(page: SummaryPage, items: list[_Line]) -> list[_Line]:
    """The page's closing line asks readers to comment or subscribe: boilerplate, not advice."""
    if len(items) < 2:
        return items
    last = items[-1]
    looks_like_cta = last.text.rstrip().endswith(("!", "?")) and CALL_TO_ACTION.search(last.text)
    if last.blanks_before >= 2 or looks_like_cta:
        page.boilerplate.append(last.text.strip())
        return items[:-1]
    return items


def _unmark(text: str) -> str:
    """A line without its Markdown heading marks, emphasis and leading emoji."""
    text = text.strip()
    heading = HEADING.match(text)
    if heading:
        text = heading.group("text")
    for _ in range(2):
        emphasis = EMPHASIS.match(text)
        if emphasis:
            text = emphasis.group("text").strip()
    return LEADING_MARKS.sub("", text).strip()


def _clean(text: str) -> str:
    """A title as readers see it: marks and list numbering gone, no closing full stop."""
    text = _unmark(text)
    numbered = NUMBERED.match(text)
    if numbered:
        text = _unmark(numbered.group("text"))
    text = re.sub(r"\s*[:：]$", "", text)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _label(text: str) -> str | None:
    """For a takeaways label ("Key Takeaways:", "**Takeaway:**", "_Key points_"), the text
    after it on the same line ("" if none); None for any other line."""
    stripped = text.strip()
    bold = re.match(r"^(\*\*|__)(?P<label>[^*_]+?)\1\s*[:：]?\s*(?P<rest>.*)$", stripped)
    if bold and TAKEAWAY_LABEL.match(bold.group("label").strip()):
        return bold.group("rest").strip()
    match = TAKEAWAY_LABEL.match(_unmark(stripped))
    if not match:
        return None
    if not (match.group("colon") or match.group("prefix") or "take" in match.group("word").lower()):
        return None  # "Lessons" or "Insights" alone may be a section's title
    return (match.group("rest") or "").strip()


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    significant = [w for n, w in enumerate(words) if n == 0 or len(w) > 3]
    capitals = sum(1 for w in significant if w[0].isupper())
    return len(significant) >= 2 and capitals >= 0.7 * len(significant)


def _find_titles(page: SummaryPage, items: list[_Line], start: int) -> dict[int, str]:
    """The items that are section titles (index → the title), read by the page's shape."""
    titles: dict[int, str] = {}
    after_takeaways = False  # the section so far had its label, then list items
    labelled = False
    for index in range(start, len(items)):
        text = items[index].text
        label = _label(text)
        if label is not None:
            labelled = True
            continue
        kind = _title_kind(items, index, after_takeaways)
        if kind:
            titles[index] = _clean(text)
            labelled = after_takeaways = False
            if kind == "sentence":
                page.warnings.append(
                    (items[index].number, f"read {text.strip()!r} as a section title, though "
                     "it ends like a sentence")
                )  # fmt: skip
            continue
        if _is_list_item(text):
            after_takeaways = labelled
        elif after_takeaways:
            page.warnings.append(
                (items[index].number, "text after a section's takeaways was kept in its body: "
                 "is it a section title?")
            )  # fmt: skip
            after_takeaways = False
    return titles


def _title_kind(items: list[_Line], index: int, after_takeaways: bool, ahead: bool = True) -> str:
    """ "title", "sentence" (a title that ends like a sentence) or "" (not a title).
    `ahead`: whether to look for a takeaways label after the line's text."""
    item = items[index]
    raw = item.text
    if index + 1 >= len(items):
        return ""  # a title heads something: it is never the last line
    text = _clean(raw)
    if not text or len(text) > TITLE_MAX_CHARS or len(text.split()) > TITLE_MAX_WORDS:
        return ""
    if HEADING.match(raw) or EMPHASIS.match(raw.strip()):
        return "title"  # marked as one
    if raw.startswith((" ", "\t")) or BULLET.match(raw):
        return ""
    if NUMBERED.match(raw) and any(
        0 <= n < len(items) and _same_list(raw, items[n].text) for n in (index - 1, index + 1)
    ):
        return ""  # one of a numbered list, not a numbered title
    if index and item.blanks_before == 0:
        return ""
    if RESOURCES_TITLE.match(text) or CONCLUSION_TITLE.match(text):
        return "title"
    unmarked = _unmark(raw)
    numbered = NUMBERED.match(unmarked)
    unmarked = (numbered.group("text") if numbered else unmarked).rstrip(CLOSING_QUOTES)
    short_question = unmarked.endswith("?") and len(unmarked.split()) <= QUESTION_TITLE_MAX_WORDS
    if unmarked[-1] not in SENTENCE_END or short_question:
        return "title"
    if unmarked[-1] not in ".?!":
        return ""
    # Ends like a sentence: a title only where the page's shape says so.
    if after_takeaways or _title_case(unmarked):
        return "title"
    short = len(unmarked.split()) <= SENTENCE_TITLE_MAX_WORDS
    return "sentence" if short and ahead and _label_follows(items, index) else ""


def _same_list(line: str, other: str) -> bool:
    """Both numbered items, indented alike: items of one list."""

    def indent(text: str) -> int:
        return len(text) - len(text.lstrip())

    return bool(NUMBERED.match(other)) and indent(line) == indent(other)


def _label_follows(items: list[_Line], index: int, reach: int = 8) -> bool:
    """Prose follows the line, then a takeaways label, before anything else titled."""
    following = items[index + 1 : index + 1 + reach]
    if not following or _is_list_item(following[0].text) or _label(following[0].text) is not None:
        return False
    for n, item in enumerate(following, index + 1):
        if _label(item.text) is not None:
            return True
        if _title_kind(items, n, False, ahead=False):
            return False
    return False


def _finish_section(page: SummaryPage, section: Section, body_lines: list[_Line]) -> None:
    if RESOURCES_TITLE.match(section.title):
        page.resources = [
            (BULLET.match(line.text) or NUMBERED.match(line.text)).group("text").strip()
            if _is_list_item(line.text)
            else line.text.strip()
            for line in body_lines
        ]
        return
    if CONCLUSION_TITLE.match(section.title):
        page.conclusion = "\n\n".join(line.text.strip() for line in body_lines)
        return

    labelled = False
    for line in body_lines:
        text = line.text
        label = _label(text)
        if label is not None:
            labelled = True
            if label:
                section.takeaways.append(label)
            continue
        bullet, numbered = BULLET.match(text), NUMBERED.match(text)
        if labelled and (bullet or numbered):
            section.takeaways.append((bullet or numbered).group("text").strip())
        elif bullet:
            _append_item(section.blocks, "ul", bullet.group("text").strip())
        elif numbered:
            _append_item(section.blocks, "ol", numbered.group("text").strip())
        else:
            section.blocks.append(Block("p", text=text.strip()))
    if not labelled:
        # A section of bullets with no label ("Final advice…"): the bullets are its takeaways.
        for block in [b for b in section.blocks if b.kind == "ul"]:
            section.takeaways.extend(block.items)
            section.blocks.remove(block)
    if not section.takeaways:
        page.warnings.append((section.line, f"section {section.title!r} has no takeaways"))
    page.sections.append(section)


def _append_item(blocks: list[Block], kind: str, text: str) -> None:
    if blocks and blocks[-1].kind == kind:
        blocks[-1].items.append(text)
    else:
        blocks.append(Block(kind, items=[text]))
