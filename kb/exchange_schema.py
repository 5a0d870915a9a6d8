"""The `career-kb/1` document's shape, checked whole before a restore writes anything.

Every problem is reported with the JSON path of the value to blame
(`$.videos[2].lessons[0].start_seconds: expected a number, got "abc"`), so a hand-edited
or truncated export is refused with one clear line instead of a traceback or a partial
restore. Plain Python, no Django.
"""

import datetime
import json
import math
import re
from collections.abc import Callable

from kb.importers.documents import DocumentError

Check = Callable[[object, str], None]
STATUSES = ("draft", "published")
SUGGESTION_STATUSES = ("open", "accepted", "dismissed")
ROLES = ("guest", "host")
STANCES = ("supports", "contrasts")
PROPOSAL_KINDS = ("agree", "differ")
# The largest number a restore stores: PostgreSQL's `integer` (SQLite's integers are wider,
# and a bigger one would overflow there too). Seconds up to it are sixty-eight years.
LARGEST = 2**31 - 1
# How deep a free-form value (an import's notes, resources) may nest: an export's nest a
# few levels; a deeper one would exhaust the stack of whatever reads it next.
FREE_DEPTH = 32


class SchemaError(DocumentError):
    """A restore document that does not hold together; the message starts with its path."""


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def fail(path: str, message: str):
    raise SchemaError(f"{path}: {message}")


def text(max_length: int | None = None, required: bool = False) -> Check:
    def check(value, path):
        if not isinstance(value, str):
            fail(path, f"expected a string, got {_kind(value)}")
        if required and not value.strip():
            fail(path, "must not be empty")
        if max_length and len(value) > max_length:
            fail(path, f"longer than {max_length} characters")

    return check


def number(integer: bool = False, nullable: bool = False, signed: bool = False) -> Check:
    def check(value, path):
        if value is None and nullable:
            return
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
            what = "a whole number" if integer else "a number"
            fail(path, f"expected {what}{' or null' if nullable else ''}, got {_kind(value)}")
        if value < 0 and not signed:
            fail(path, f"must not be negative, got {value}")
        if abs(value) > LARGEST:
            fail(path, f"must not be larger than {LARGEST}, got {_kind(value)}")

    return check


def boolean(value, path):
    if not isinstance(value, bool):
        fail(path, f"expected true or false, got {_kind(value)}")


def date(value, path):
    if value is None:
        return
    try:
        datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        fail(path, f"expected a date like 2025-01-17 or null, got {_kind(value)}")


def choice(*values: str) -> Check:
    def check(value, path):
        if value not in values:
            fail(path, f"expected one of {', '.join(values)}, got {_kind(value)}")

    return check


def anything(value, path):
    """Free-form JSON, nested no deeper than FREE_DEPTH (checked without recursion)."""
    level = [value]
    for _ in range(FREE_DEPTH + 1):
        level = [
            inner
            for outer in level
            if isinstance(outer, dict | list)
            for inner in (outer.values() if isinstance(outer, dict) else outer)
        ]
        if not level:
            return
    fail(path, f"nested deeper than {FREE_DEPTH} levels")


def list_of(item: Check) -> Check:
    def check(value, path):
        if not isinstance(value, list):
            fail(path, f"expected a list, got {_kind(value)}")
        for n, element in enumerate(value):
            item(element, f"{path}[{n}]")

    return check


def obj(fields: dict[str, Check], optional: tuple[str, ...] = ()) -> Check:
    def check(value, path):
        if not isinstance(value, dict):
            fail(path, f"expected an object, got {_kind(value)}")
        for name, field_check in fields.items():
            if name in value:
                field_check(value[name], f"{path}.{name}")
            elif name not in optional:
                fail(f"{path}.{name}", "missing")

    return check


def segment(value, path):
    """[start, end, text, exact, chapter start or null], then the speaker's person slug
    when the transcript names who speaks (older exports have five items)."""
    if not isinstance(value, list) or len(value) not in (5, 6):
        fail(path, f"expected [start, end, text, exact, chapter(, speaker)], got {_kind(value)}")
    checks = (number(), number(), text(), boolean, number(True, True), text(100))
    for n, check in enumerate(checks[: len(value)]):
        check(value[n], f"{path}[{n}]")
    if value[1] < value[0]:
        fail(f"{path}[1]", f"ends ({value[1]}) before it starts ({value[0]})")


SLUG = text(100, required=True)
THEME = obj({"name": text(100, required=True), "slug": SLUG, "description": text(),
             "cues": list_of(text())})  # fmt: skip
TAKEAWAY = obj({"text": text(), "position": number(True), "start_seconds": number(nullable=True),
                "score": number(nullable=True), "confirmed": boolean})  # fmt: skip
SUGGESTION = obj({
    "text": text(), "start_seconds": number(), "end_seconds": number(),
    "score": number(signed=True), "rank": number(True), "status": choice(*SUGGESTION_STATUSES),
    "chapter": number(True, True), "quote": number(True, True),
})  # fmt: skip
THEME_SUGGESTION = obj({
    "theme": SLUG, "confidence": number(), "status": choice(*SUGGESTION_STATUSES),
})  # fmt: skip
LESSON = obj({
    "slug": SLUG, "title": text(300, required=True), "body": text(), "status": choice(*STATUSES),
    "start_seconds": number(nullable=True), "position": number(True), "import_key": text(200),
    "imported": anything, "keywords": text(), "chapter": number(True, True),
    "themes": list_of(text()), "takeaways": list_of(TAKEAWAY), "suggestions": list_of(SUGGESTION),
    "people": list_of(SLUG), "theme_suggestions": list_of(THEME_SUGGESTION),
    "machine_draft": boolean,
}, optional=("people", "theme_suggestions", "machine_draft"))  # fmt: skip
DRAFT_PASSAGE = obj({
    "start_seconds": number(), "end_seconds": number(), "title": text(300),
    "score": number(signed=True), "status": choice(*SUGGESTION_STATUSES),
    "lesson": lambda v, p: v is None or SLUG(v, p),
})  # fmt: skip
QUOTE = obj({
    "text": text(required=True), "speaker": text(200), "start_seconds": number(),
    "end_seconds": number(), "status": choice(*STATUSES), "chapter": number(True, True),
    "lesson": lambda v, p: v is None or SLUG(v, p), "themes": list_of(text()),
    "person": lambda v, p: v is None or SLUG(v, p),
}, optional=("person",))  # fmt: skip
VIDEO = obj(
    {
        "slug": SLUG, "title": text(300, required=True), "channel": text(200),
        "published_on": date, "duration_seconds": number(True), "youtube_id": text(11),
        "status": choice(*STATUSES), "headline": text(500), "description": text(), "intro": text(),
        "conclusion": text(), "resources": list_of(anything), "transcript_exact": boolean,
        "import_key": text(64), "source_hash": text(64), "imported": anything,
        "chapters": list_of(obj({"title": text(300), "start_seconds": number(True)})),
        "segments": list_of(segment), "lessons": list_of(LESSON), "quotes": list_of(QUOTE),
        "credits": list_of(obj({"person": SLUG, "role": choice(*ROLES),
                                "position": number(True)})),
        "draft_passages": list_of(DRAFT_PASSAGE),
    },
    # Exports made before videos had an import identity, people, a description or drafts.
    optional=("import_key", "credits", "description", "draft_passages"),
)  # fmt: skip


def web_link(value, path):
    """A person's link: empty, or an http(s) address (never javascript: and the like)."""
    text(200)(value, path)
    if value and not re.match(r"^https?://[^\s]+$", value, re.IGNORECASE):
        fail(path, f"expected an http:// or https:// address, got {_kind(value)}")


PERSON = obj({"name": text(200, required=True), "slug": SLUG, "bio": text(),
              "link": web_link})  # fmt: skip
EVIDENCE = obj({
    "stance": choice(*STANCES), "note": text(300), "position": number(True),
    "lesson": lambda v, p: v is None or SLUG(v, p),
    "quote": lambda v, p: v is None or obj({"video": SLUG, "number": number(True)})(v, p),
})  # fmt: skip
INSIGHT = obj({
    "title": text(300, required=True), "slug": SLUG, "summary": text(),
    "status": choice(*STATUSES), "themes": list_of(SLUG), "evidence": list_of(EVIDENCE),
})  # fmt: skip
PROPOSAL = obj({
    "kind": choice(*PROPOSAL_KINDS), "title": text(300, required=True), "score": number(),
    "status": choice(*SUGGESTION_STATUSES), "theme": lambda v, p: v is None or SLUG(v, p),
    "insight": lambda v, p: v is None or SLUG(v, p),
    "lessons": list_of(lambda v, p: obj_pair(v, p)),
})  # fmt: skip


def obj_pair(value, path):
    """A proposal's lesson: [lesson slug, stance]."""
    if not (isinstance(value, list) and len(value) == 2):
        fail(path, f"expected [lesson slug, stance], got {_kind(value)}")
    SLUG(value[0], f"{path}[0]")
    choice(*STANCES)(value[1], f"{path}[1]")


DOCUMENT = obj({
    "schema": anything, "themes": list_of(THEME),
    "theme_redirects": list_of(obj({"old_slug": SLUG, "theme": SLUG})),
    "people": list_of(PERSON),
    "person_redirects": list_of(obj({"old_slug": SLUG, "person": SLUG})),
    "videos": list_of(VIDEO),
    "insights": list_of(INSIGHT), "insight_proposals": list_of(PROPOSAL),
}, optional=("people", "person_redirects", "insights", "insight_proposals"))  # fmt: skip


def unique(values, what: str) -> None:
    """`values` are (path, key) pairs; the second holder of a key is to blame."""
    seen = {}
    for path, key in values:
        if key in seen:
            fail(path, f"{what} {_kind(key)} is already used at {seen[key]}")
        seen[key] = path


def known(path: str, key, keys, what: str) -> None:
    if key is not None and key not in keys:
        fail(path, f"no {what} {_kind(key)} in this export")


def validate(data, schema: str) -> None:
    """Raises SchemaError at the first value that is wrong; returns when all is well."""
    if not isinstance(data, dict):
        fail("$", f"not a {schema} export: expected an object, got {_kind(data)}")
    if data.get("schema") != schema:
        fail("$", f"not a {schema} export (its 'schema' says {_kind(data.get('schema'))})")
    DOCUMENT(data, "$")
    themes = [(f"$.themes[{n}]", t) for n, t in enumerate(data["themes"])]
    unique([(f"{p}.slug", t["slug"]) for p, t in themes], "theme slug")
    unique([(f"{p}.name", t["name"].casefold()) for p, t in themes], "theme name")
    theme_slugs = {t["slug"] for t in data["themes"]}
    for n, redirect in enumerate(data["theme_redirects"]):
        known(f"$.theme_redirects[{n}].theme", redirect["theme"], theme_slugs, "theme")
    unique(
        [(f"$.theme_redirects[{n}].old_slug", r["old_slug"])
         for n, r in enumerate(data["theme_redirects"])],
        "old theme slug",
    )  # fmt: skip

    people = [(f"$.people[{n}]", p) for n, p in enumerate(data.get("people", []))]
    unique([(f"{p}.slug", person["slug"]) for p, person in people], "person slug")
    unique([(f"{p}.name", person["name"].casefold()) for p, person in people], "person name")
    person_slugs = {person["slug"] for _, person in people}
    for n, redirect in enumerate(data.get("person_redirects", [])):
        known(f"$.person_redirects[{n}].person", redirect["person"], person_slugs, "person")

    videos = [(f"$.videos[{n}]", v) for n, v in enumerate(data["videos"])]
    unique([(f"{p}.slug", v["slug"]) for p, v in videos], "video slug")
    unique([(f"{p}.youtube_id", v["youtube_id"]) for p, v in videos if v["youtube_id"]],
           "YouTube id")  # fmt: skip
    unique(
        [(f"{p}.import_key", (v["import_key"], v["youtube_id"]))
         for p, v in videos if v.get("import_key")],
        "import identity",
    )  # fmt: skip
    unique(
        [(f"{p}.lessons[{n}].slug", lesson["slug"])
         for p, v in videos for n, lesson in enumerate(v["lessons"])],
        "lesson slug",
    )  # fmt: skip
    for path, video in videos:
        _validate_video(path, video, theme_slugs, person_slugs)
    _validate_insights(data, theme_slugs)


def _validate_insights(data: dict, theme_slugs: set) -> None:
    lesson_slugs = {lesson["slug"] for v in data["videos"] for lesson in v["lessons"]}
    quote_counts = {v["slug"]: len(v["quotes"]) for v in data["videos"]}
    insights = [(f"$.insights[{n}]", i) for n, i in enumerate(data.get("insights", []))]
    unique([(f"{p}.slug", i["slug"]) for p, i in insights], "insight slug")
    for path, insight in insights:
        for m, slug in enumerate(insight["themes"]):
            known(f"{path}.themes[{m}]", slug, theme_slugs, "theme")
        for m, evidence in enumerate(insight["evidence"]):
            at = f"{path}.evidence[{m}]"
            if (evidence["lesson"] is None) == (evidence["quote"] is None):
                fail(at, "evidence is a lesson or a quote: give exactly one")
            known(f"{at}.lesson", evidence["lesson"], lesson_slugs, "lesson")
            if evidence["quote"] is not None:
                where = evidence["quote"]
                known(f"{at}.quote.video", where["video"], quote_counts, "video")
                known(f"{at}.quote.number", where["number"], range(quote_counts[where["video"]]),
                      "quote number")  # fmt: skip
        unique([(f"{path}.evidence[{m}]", (e["lesson"], str(e["quote"])))
                for m, e in enumerate(insight["evidence"])], "evidence")  # fmt: skip
    insight_slugs = {i["slug"] for _, i in insights}
    proposals = list(enumerate(data.get("insight_proposals", [])))
    unique(
        [(f"$.insight_proposals[{n}].lessons",
          f"{p['kind']}: " + " ".join(sorted(slug for slug, _ in p["lessons"])))
         for n, p in proposals],
        "proposal of these lessons",
    )  # fmt: skip
    for n, proposal in proposals:
        at = f"$.insight_proposals[{n}]"
        known(f"{at}.theme", proposal["theme"], theme_slugs, "theme")
        known(f"{at}.insight", proposal["insight"], insight_slugs, "insight")
        for m, (slug, _) in enumerate(proposal["lessons"]):
            known(f"{at}.lessons[{m}][0]", slug, lesson_slugs, "lesson")
        unique([(f"{at}.lessons[{m}]", slug) for m, (slug, _) in enumerate(proposal["lessons"])],
               "lesson")  # fmt: skip


def _validate_video(path: str, video: dict, theme_slugs: set, person_slugs: set) -> None:
    for n, credit in enumerate(video.get("credits", [])):
        known(f"{path}.credits[{n}].person", credit["person"], person_slugs, "person")
    unique(
        [(f"{path}.credits[{n}]", (c["person"], c["role"]))
         for n, c in enumerate(video.get("credits", []))],
        "credit",
    )  # fmt: skip
    chapters = [(f"{path}.chapters[{n}].start_seconds", c["start_seconds"])
                for n, c in enumerate(video["chapters"])]  # fmt: skip
    unique(chapters, "chapter start")
    starts = {start for _, start in chapters}
    for n, seg in enumerate(video["segments"]):
        known(f"{path}.segments[{n}][4]", seg[4], starts, "chapter starting at")
        if len(seg) == 6:
            known(f"{path}.segments[{n}][5]", seg[5], person_slugs, "person")
    lesson_slugs = {lesson["slug"] for lesson in video["lessons"]}
    for n, lesson in enumerate(video["lessons"]):
        at = f"{path}.lessons[{n}]"
        known(f"{at}.chapter", lesson["chapter"], starts, "chapter starting at")
        if lesson.get("machine_draft") and lesson["status"] == "published":
            fail(f"{at}.status", "a machine draft can't be published: accept it first")
        for m, slug in enumerate(lesson["themes"]):
            known(f"{at}.themes[{m}]", slug, theme_slugs, "theme")
        for m, slug in enumerate(lesson.get("people", [])):
            known(f"{at}.people[{m}]", slug, person_slugs, "person")
        offered = [
            (f"{at}.theme_suggestions[{m}].theme", s["theme"])
            for m, s in enumerate(lesson.get("theme_suggestions", []))
        ]
        for where, slug in offered:
            known(where, slug, theme_slugs, "theme")
        unique(offered, "suggested theme")
        for m, suggestion in enumerate(lesson["suggestions"]):
            known(f"{at}.suggestions[{m}].chapter", suggestion["chapter"], starts,
                  "chapter starting at")  # fmt: skip
            known(f"{at}.suggestions[{m}].quote", suggestion["quote"],
                  range(len(video["quotes"])), "quote number")  # fmt: skip
            if suggestion["end_seconds"] < suggestion["start_seconds"]:
                fail(f"{at}.suggestions[{m}].end_seconds", "ends before it starts")
    unique(
        [(f"{path}.lessons[{n}].suggestions[{m}].quote", s["quote"])
         for n, lesson in enumerate(video["lessons"])
         for m, s in enumerate(lesson["suggestions"]) if s["quote"] is not None],
        "quote number",
    )  # fmt: skip
    passages = [(f"{path}.draft_passages[{n}]", p)
                for n, p in enumerate(video.get("draft_passages", []))]  # fmt: skip
    for at, passage in passages:
        known(f"{at}.lesson", passage["lesson"], lesson_slugs, "lesson of this video with slug")
        if passage["end_seconds"] < passage["start_seconds"]:
            fail(f"{at}.end_seconds", "ends before it starts")
    unique([(f"{at}.lesson", p["lesson"]) for at, p in passages if p["lesson"]], "drafted lesson")
    for n, quote in enumerate(video["quotes"]):
        at = f"{path}.quotes[{n}]"
        known(f"{at}.chapter", quote["chapter"], starts, "chapter starting at")
        known(f"{at}.lesson", quote["lesson"], lesson_slugs, "lesson of this video with slug")
        known(f"{at}.person", quote.get("person"), person_slugs, "person")
        for m, slug in enumerate(quote["themes"]):
            known(f"{at}.themes[{m}]", slug, theme_slugs, "theme")
        if quote["end_seconds"] < quote["start_seconds"]:
            fail(f"{at}.end_seconds", "ends before it starts")
