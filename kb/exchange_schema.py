"""The backup format `career-kb/1`, declared once: pydantic models that `export_kb` writes
through (kb.exchange.export_data) and that `import_kb` reads a file into (`validated`).

A restore checks the whole document before it writes anything: each value's kind, length
and range as these models declare them, then that the document holds together (each slug
used once, each theme, person, chapter, lesson and quote a value names is in the file:
kb.exchange_references). Every problem is reported as one line, with the JSON path of the
value to blame (`$.videos[2].lessons[0].start_seconds: expected a number or null, got
"abc"`), so a hand-edited or truncated export is refused with one clear line instead of
a traceback or a partial restore. Keys the format does not know are ignored, as they
always were. Exports written before there were people, insights and proposals, credits,
a video's description, import identity or drafted passages, a lesson's people, offered
themes or machine drafts, or who speaks in a transcript line, still read: what they lack
has its default here. No Django.
"""

import datetime
import json
import re
import types
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    PlainValidator,
    StrictBool,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from kb.importers.documents import DocumentError

SCHEMA = "career-kb/1"
# The largest number a restore stores: PostgreSQL's `integer` (SQLite's integers are wider,
# and a bigger one would overflow there too). Seconds up to it are sixty-eight years.
LARGEST = 2**31 - 1
# How deep a free-form value (an import's notes, resources) may nest: an export's nest a
# few levels; a deeper one would exhaust the stack of whatever reads it next.
FREE_DEPTH = 32
NOT_BLANK = r"\S"
# A person's link: empty, or an http(s) address (never javascript: and the like). A line
# break after it is let through, as the hand-written check before (Python's `$`) did.
WEB_ADDRESS = r"^(?:(?i:https?)://\S+\n?)?$"


class SchemaError(DocumentError):
    """A restore document that does not hold together; the message starts with its path."""


def refuse(kind: str, message: str, at: tuple = ()):
    """A problem pydantic reports at the value being checked (or at the path `at` in it)."""
    return PydanticCustomError(kind, "{message}", {"message": message, "at": at})


def shown(value) -> str:
    """A value as a message quotes it: JSON, cut at 40 characters; lists and objects by kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


# What each value may be.


def text(max_length: int | None = None, required: bool = False):
    """A string (never a number or null) of at most `max_length` characters; `required`:
    not empty or only spaces."""
    return Annotated[
        str,
        StringConstraints(
            strict=True, max_length=max_length, pattern=NOT_BLANK if required else None
        ),
    ]


Slug = text(100, required=True)
Link = Annotated[str, StringConstraints(strict=True, max_length=200, pattern=WEB_ADDRESS)]
# Numbers are never true or false, NaN or infinite, negative (but a score) or past LARGEST;
# whole numbers are never 1.0 or "1".
Whole = Annotated[int, Field(strict=True, ge=0, le=LARGEST)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=LARGEST)]
Signed = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-LARGEST, le=LARGEST)]
Status = Literal["draft", "published"]
Decision = Literal["open", "accepted", "dismissed"]
Role = Literal["guest", "host"]
Stance = Literal["supports", "contrasts"]
T = TypeVar("T")
List = Annotated[list[T], Field(strict=True)]  # a JSON list, nothing else


def _iso_date(value):
    if value is None:
        return None
    try:
        datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        said = f"expected a date like 2025-01-17 or null, got {shown(value)}"
        raise refuse("date", said) from None
    return value


def _shallow(value):
    """Free-form JSON nested no deeper than FREE_DEPTH (checked without recursion)."""
    level = [value]
    for _ in range(FREE_DEPTH + 1):
        level = [
            inner
            for outer in level
            if isinstance(outer, dict | list)
            for inner in (outer.values() if isinstance(outer, dict) else outer)
        ]
        if not level:
            return value
    raise refuse("too_deep", f"nested deeper than {FREE_DEPTH} levels")


IsoDate = Annotated[str | None, PlainValidator(_iso_date)]  # written as it was read
Free = Annotated[Any, AfterValidator(_shallow)]


def row(shape: str, *kinds, optional: bool = False):
    """A JSON list of values of `kinds`, in order (the last one left out, if `optional`),
    read as a tuple; any other list, or anything else, is refused as not `shape`. Checked
    in pydantic's core, as a transcript's many lines need."""

    def schema(_source, handler):
        least = len(kinds) - optional
        return core_schema.chain_schema([
            core_schema.custom_error_schema(
                core_schema.list_schema(strict=True, min_length=least, max_length=len(kinds)),
                custom_error_type="shape",
                custom_error_message=f"expected {shape}",
                custom_error_context={"shape": shape},
            ),
            core_schema.tuple_schema(
                [handler.generate_schema(kind) for kind in kinds],
                variadic_item_index=least if optional else None,
            ),
        ])  # fmt: skip

    return Annotated[tuple[kinds], GetPydanticSchema(schema)]


# A transcript line: [start, end, text, exact, chapter start or null], then the speaker's
# person slug when the transcript names who speaks (written only then; older exports never
# have it).
Segment = row(
    "[start, end, text, exact, chapter(, speaker)]",
    Number, Number, text(), StrictBool, Whole | None, text(100),
    optional=True,
)  # fmt: skip
# An insight proposal's lesson.
Member = row("[lesson slug, stance]", Slug, Stance)


# The document, in the order a restore checks it.


class Format(BaseModel):
    model_config = ConfigDict(extra="ignore")  # keys it does not know are left out


class Theme(Format):
    name: text(100, required=True)
    slug: Slug
    description: text()
    cues: List[text()]


class ThemeRedirect(Format):
    old_slug: Slug
    theme: Slug


class Person(Format):
    name: text(200, required=True)
    slug: Slug
    bio: text()
    link: Link


class PersonRedirect(Format):
    old_slug: Slug
    person: Slug


class Chapter(Format):
    title: text(300)
    start_seconds: Whole


class Takeaway(Format):
    text: text()
    position: Whole
    start_seconds: Number | None
    score: Number | None
    confirmed: StrictBool


class QuoteSuggestion(Format):
    text: text()
    start_seconds: Number
    end_seconds: Number
    score: Signed
    rank: Whole
    status: Decision
    chapter: Whole | None  # a chapter's start
    quote: Whole | None  # a quote's number in its video

    @model_validator(mode="after")
    def _in_order(self):
        if self.end_seconds < self.start_seconds:
            raise refuse("order", "ends before it starts", ("end_seconds",))
        return self


class ThemeSuggestion(Format):
    theme: Slug
    confidence: Number
    status: Decision


class Lesson(Format):
    slug: Slug
    title: text(300, required=True)
    body: text()
    status: Status
    start_seconds: Number | None
    position: Whole
    import_key: text(200)
    imported: Free
    keywords: text()
    chapter: Whole | None
    themes: List[text()]
    takeaways: List[Takeaway]
    suggestions: List[QuoteSuggestion]
    people: List[Slug] = []
    theme_suggestions: List[ThemeSuggestion] = []
    machine_draft: StrictBool = False  # drafted by the machine, for an editor to review

    @model_validator(mode="after")
    def _draft_unpublished(self):
        if self.machine_draft and self.status == "published":
            raise refuse(
                "draft", "a machine draft can't be published: accept it first", ("status",)
            )
        return self


class Quote(Format):
    text: text(required=True)
    speaker: text(200)
    start_seconds: Number
    end_seconds: Number
    status: Status
    chapter: Whole | None
    lesson: Slug | None
    themes: List[text()]
    person: Slug | None = None

    @model_validator(mode="after")
    def _in_order(self):
        if self.end_seconds < self.start_seconds:
            raise refuse("order", "ends before it starts", ("end_seconds",))
        return self


class DraftPassage(Format):
    """A passage the machine drafted a lesson from, or one an editor dismissed."""

    start_seconds: Number
    end_seconds: Number
    title: text(300)
    score: Signed
    status: Decision
    lesson: Slug | None  # the draft, a lesson of the same video

    @model_validator(mode="after")
    def _in_order(self):
        if self.end_seconds < self.start_seconds:
            raise refuse("order", "ends before it starts", ("end_seconds",))
        return self


class Credit(Format):
    person: Slug
    role: Role
    position: Whole


class Video(Format):
    slug: Slug
    title: text(300, required=True)
    channel: text(200)
    published_on: IsoDate
    duration_seconds: Whole
    youtube_id: text(11)
    status: Status
    headline: text(500)
    description: text() = ""
    intro: text()
    conclusion: text()
    resources: List[Free]
    transcript_exact: StrictBool
    import_key: text(64) = ""
    source_hash: text(64)
    imported: Free
    chapters: List[Chapter]
    segments: List[Segment]
    lessons: List[Lesson]
    quotes: List[Quote]
    credits: List[Credit] = []
    draft_passages: List[DraftPassage] = []

    @model_validator(mode="after")
    def _lines_in_order(self):
        for n, line in enumerate(self.segments):
            if line[1] < line[0]:
                said = f"ends ({line[1]}) before it starts ({line[0]})"
                raise refuse("order", said, ("segments", n, 1))
        return self


class QuotePlace(Format):
    video: Slug
    number: Whole  # the quote's place in its video's list


class Evidence(Format):
    stance: Stance
    note: text(300)
    position: Whole
    lesson: Slug | None
    quote: QuotePlace | None

    @model_validator(mode="after")
    def _one_of_them(self):
        if (self.lesson is None) == (self.quote is None):
            raise refuse("evidence", "evidence is a lesson or a quote: give exactly one")
        return self


class Insight(Format):
    title: text(300, required=True)
    slug: Slug
    summary: text()
    status: Status
    themes: List[Slug]
    evidence: List[Evidence]


class Proposal(Format):
    kind: Literal["agree", "differ"]
    title: text(300, required=True)
    score: Number
    status: Decision
    theme: Slug | None
    insight: Slug | None
    lessons: List[Member]


class Backup(Format):
    model_config = ConfigDict(serialize_by_alias=True)

    schema_name: Free = Field(alias="schema")
    themes: List[Theme]
    theme_redirects: List[ThemeRedirect]
    people: List[Person] = []
    person_redirects: List[PersonRedirect] = []
    videos: List[Video]
    insights: List[Insight] = []
    insight_proposals: List[Proposal] = []

    @model_validator(mode="before")
    @classmethod
    def _this_format(cls, data):
        if isinstance(data, Backup):
            return data
        if not isinstance(data, dict):
            raise refuse("format", f"not a {SCHEMA} export: expected an object, got {shown(data)}")
        if data.get("schema") != SCHEMA:
            said = shown(data.get("schema"))
            raise refuse("format", f"not a {SCHEMA} export (its 'schema' says {said})")
        return data


# Problems in one line each.


def _path(loc, start: str = "$") -> str:
    return start + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _declared(model: type, loc) -> Any:
    """The type `model` declares at `loc`, Annotated's and Optional's wrapping kept."""
    kind: Any = model
    for part in loc:
        kind = _unwrapped(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            kind = kind.model_fields[part].annotation
        elif get_origin(kind) is tuple:  # a row
            kind = get_args(kind)[part]
        else:  # a list
            kind = get_args(kind)[0]
    return kind


def _unwrapped(kind):
    while True:
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
        elif get_origin(kind) in (Union, types.UnionType):
            kind = next(arg for arg in get_args(kind) if arg is not type(None))
        else:
            return kind


def _allows_null(model: type, loc) -> bool:
    kind = _declared(model, loc)
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    return type(None) in get_args(kind)


def one_line(error: dict, model: type, start: str = "$") -> str:
    """One of pydantic's errors as this format says it, `PATH: what is wrong, got what`,
    for a value read into `model` from the JSON path `start`."""
    kind, got, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    loc = (*error["loc"], *ctx.get("at", ()))
    expected = {
        "string_type": "a string",
        "bool_type": "true or false",
        "list_type": "a list",
        "model_type": "an object",
        "dict_type": "an object",
        "int_type": "a whole number",
        "float_type": "a number",
        "finite_number": "a number",
    }.get(kind)
    if kind in ("int_type", "float_type", "finite_number") and _allows_null(model, loc):
        expected += " or null"
    if expected:
        message = f"expected {expected}, got {shown(got)}"
    elif kind == "missing":
        message = "missing"
    elif kind == "shape":
        message = f"expected {ctx['shape']}, got {shown(got)}"
    elif "message" in ctx:  # one of refuse()'s
        message = ctx["message"]
    elif kind == "string_too_long":
        message = f"longer than {ctx['max_length']} characters"
    elif kind == "string_pattern_mismatch" and ctx["pattern"] == NOT_BLANK:
        message = "must not be empty"
    elif kind == "string_pattern_mismatch" and ctx["pattern"] == WEB_ADDRESS:
        message = f"expected an http:// or https:// address, got {shown(got)}"
    elif kind == "greater_than_equal" and ctx["ge"] == 0:
        message = f"must not be negative, got {got}"
    elif kind == "greater_than_equal":
        message = f"must not be smaller than {-LARGEST}, got {shown(got)}"
    elif kind == "less_than_equal":
        message = f"must not be larger than {LARGEST}, got {shown(got)}"
    elif kind == "literal_error":
        choices = ", ".join(re.findall(r"'([^']*)'", ctx["expected"]))
        message = f"expected one of {choices}, got {shown(got)}"
    else:  # a kind of problem this format never meant to allow: pydantic's own words
        message = f"{error['msg'].splitlines()[0]}, got {shown(got)}"
    return f"{_path(loc, start)}: {message}"


def validated(model: type[Format], data, at: str = "$"):
    """`data` read into `model` (the value at JSON path `at`), or SchemaError naming the
    first value to blame."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(one_line(exc.errors()[0], model, at)) from None
