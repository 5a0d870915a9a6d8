"""What holds a `career-kb/1` backup together, past each value's own kind and range
(kb.exchange_schema): each slug, name and key used once, and each theme, person, chapter,
lesson and quote that a value names present in the file. Every problem is one line with
the JSON path to blame: `$.videos[1].slug: video slug "growing-fast" is already used at
$.videos[0].slug`. No Django.
"""

from kb.exchange_schema import Backup, SchemaError, Video, shown


def fail(path: str, message: str):
    raise SchemaError(f"{path}: {message}")


def unique(values, what: str) -> None:
    """`values` are (path, key) pairs; the second holder of a key is to blame."""
    seen = {}
    for path, key in values:
        if key in seen:
            fail(path, f"{what} {shown(key)} is already used at {seen[key]}")
        seen[key] = path


def known(path: str, key, keys, what: str) -> None:
    if key is not None and key not in keys:
        fail(path, f"no {what} {shown(key)} in this export")


def check_references(backup: Backup) -> None:
    """SchemaError at the first slug used twice or value naming what the file lacks."""
    themes = [(f"$.themes[{n}]", theme) for n, theme in enumerate(backup.themes)]
    unique([(f"{p}.slug", theme.slug) for p, theme in themes], "theme slug")
    unique([(f"{p}.name", theme.name.casefold()) for p, theme in themes], "theme name")
    theme_slugs = {theme.slug for theme in backup.themes}
    for n, redirect in enumerate(backup.theme_redirects):
        known(f"$.theme_redirects[{n}].theme", redirect.theme, theme_slugs, "theme")
    unique(
        [(f"$.theme_redirects[{n}].old_slug", r.old_slug)
         for n, r in enumerate(backup.theme_redirects)],
        "old theme slug",
    )  # fmt: skip

    people = [(f"$.people[{n}]", person) for n, person in enumerate(backup.people)]
    unique([(f"{p}.slug", person.slug) for p, person in people], "person slug")
    unique([(f"{p}.name", person.name.casefold()) for p, person in people], "person name")
    person_slugs = {person.slug for person in backup.people}
    for n, redirect in enumerate(backup.person_redirects):
        known(f"$.person_redirects[{n}].person", redirect.person, person_slugs, "person")

    videos = [(f"$.videos[{n}]", video) for n, video in enumerate(backup.videos)]
    unique([(f"{p}.slug", v.slug) for p, v in videos], "video slug")
    unique([(f"{p}.youtube_id", v.youtube_id) for p, v in videos if v.youtube_id],
           "YouTube id")  # fmt: skip
    unique(
        [(f"{p}.import_key", (v.import_key, v.youtube_id)) for p, v in videos if v.import_key],
        "import identity",
    )
    unique(
        [(f"{p}.lessons[{n}].slug", lesson.slug)
         for p, v in videos for n, lesson in enumerate(v.lessons)],
        "lesson slug",
    )  # fmt: skip
    for path, video in videos:
        _check_video(path, video, theme_slugs, person_slugs)
    _check_insights(backup, theme_slugs)


def _check_video(path: str, video: Video, theme_slugs: set, person_slugs: set) -> None:
    for n, credit in enumerate(video.credits):
        known(f"{path}.credits[{n}].person", credit.person, person_slugs, "person")
    unique([(f"{path}.credits[{n}]", (c.person, c.role)) for n, c in enumerate(video.credits)],
           "credit")  # fmt: skip
    chapters = [(f"{path}.chapters[{n}].start_seconds", c.start_seconds)
                for n, c in enumerate(video.chapters)]  # fmt: skip
    unique(chapters, "chapter start")
    starts = {start for _, start in chapters}
    # A transcript has thousands of lines: each is looked at only when one names a chapter
    # or a person the file lacks.
    lines = video.segments
    if not {line[4] for line in lines} <= starts | {None}:
        for n, line in enumerate(lines):
            known(f"{path}.segments[{n}][4]", line[4], starts, "chapter starting at")
    if not {line[5] for line in lines if len(line) == 6} <= person_slugs:
        for n, line in enumerate(lines):
            if len(line) == 6:
                known(f"{path}.segments[{n}][5]", line[5], person_slugs, "person")
    lesson_slugs = {lesson.slug for lesson in video.lessons}
    quote_numbers = range(len(video.quotes))
    for n, lesson in enumerate(video.lessons):
        at = f"{path}.lessons[{n}]"
        known(f"{at}.chapter", lesson.chapter, starts, "chapter starting at")
        for m, slug in enumerate(lesson.themes):
            known(f"{at}.themes[{m}]", slug, theme_slugs, "theme")
        for m, slug in enumerate(lesson.people):
            known(f"{at}.people[{m}]", slug, person_slugs, "person")
        offered = [(f"{at}.theme_suggestions[{m}].theme", s.theme)
                   for m, s in enumerate(lesson.theme_suggestions)]  # fmt: skip
        for where, slug in offered:
            known(where, slug, theme_slugs, "theme")
        unique(offered, "suggested theme")
        for m, suggestion in enumerate(lesson.suggestions):
            known(f"{at}.suggestions[{m}].chapter", suggestion.chapter, starts,
                  "chapter starting at")  # fmt: skip
            known(f"{at}.suggestions[{m}].quote", suggestion.quote, quote_numbers,
                  "quote number")  # fmt: skip
    unique(
        [(f"{path}.lessons[{n}].suggestions[{m}].quote", s.quote)
         for n, lesson in enumerate(video.lessons)
         for m, s in enumerate(lesson.suggestions) if s.quote is not None],
        "quote number",
    )  # fmt: skip
    passages = [(f"{path}.draft_passages[{n}]", p) for n, p in enumerate(video.draft_passages)]
    for at, passage in passages:
        known(f"{at}.lesson", passage.lesson, lesson_slugs, "lesson of this video with slug")
    unique([(f"{at}.lesson", p.lesson) for at, p in passages if p.lesson], "drafted lesson")
    for n, quote in enumerate(video.quotes):
        at = f"{path}.quotes[{n}]"
        known(f"{at}.chapter", quote.chapter, starts, "chapter starting at")
        known(f"{at}.lesson", quote.lesson, lesson_slugs, "lesson of this video with slug")
        known(f"{at}.person", quote.person, person_slugs, "person")
        for m, slug in enumerate(quote.themes):
            known(f"{at}.themes[{m}]", slug, theme_slugs, "theme")


def _check_insights(backup: Backup, theme_slugs: set) -> None:
    lesson_slugs = {lesson.slug for video in backup.videos for lesson in video.lessons}
    quote_counts = {video.slug: len(video.quotes) for video in backup.videos}
    insights = [(f"$.insights[{n}]", insight) for n, insight in enumerate(backup.insights)]
    unique([(f"{p}.slug", insight.slug) for p, insight in insights], "insight slug")
    for path, insight in insights:
        for m, slug in enumerate(insight.themes):
            known(f"{path}.themes[{m}]", slug, theme_slugs, "theme")
        for m, evidence in enumerate(insight.evidence):
            at = f"{path}.evidence[{m}]"
            known(f"{at}.lesson", evidence.lesson, lesson_slugs, "lesson")
            if (place := evidence.quote) is not None:
                known(f"{at}.quote.video", place.video, quote_counts, "video")
                known(f"{at}.quote.number", place.number, range(quote_counts[place.video]),
                      "quote number")  # fmt: skip
        unique(
            [(f"{path}.evidence[{m}]",
              e.lesson or f"quote {e.quote.number} of {e.quote.video}")
             for m, e in enumerate(insight.evidence)],
            "evidence",
        )  # fmt: skip
    insight_slugs = {insight.slug for _, insight in insights}
    proposals = list(enumerate(backup.insight_proposals))
    unique(
        [(f"$.insight_proposals[{n}].lessons",
          f"{p.kind}: " + " ".join(sorted(slug for slug, _ in p.lessons)))
         for n, p in proposals],
        "proposal of these lessons",
    )  # fmt: skip
    for n, proposal in proposals:
        at = f"$.insight_proposals[{n}]"
        known(f"{at}.theme", proposal.theme, theme_slugs, "theme")
        known(f"{at}.insight", proposal.insight, insight_slugs, "insight")
        for m, (slug, _) in enumerate(proposal.lessons):
            known(f"{at}.lessons[{m}][0]", slug, lesson_slugs, "lesson")
        unique([(f"{at}.lessons[{m}]", slug) for m, (slug, _) in enumerate(proposal.lessons)],
               "lesson")  # fmt: skip
