"""Search benchmark at a million transcript lines: ours against datasette, over HTTP.

    .venv/bin/python bench/search.py [--videos 300] [--segments N] [--runs 20] [--reuse]

(`--videos 3000` makes ten million lines, in bench/out/search-3000.sqlite3.)

1. Generates a knowledge base in bench/out/search.sqlite3 (300 videos, each with 19
   chapters, 15 lessons, 45 takeaways and 10 quotes; 1,000,000 transcript lines of
   caption-like text drawn from the seed page's transcript, or from samples/ when the
   seed is absent).
2. Serves it with gunicorn (production settings, page cache off); copies the file, gives
   the copy datasette's own FTS5 index on the lines (as `sqlite-utils enable-fts` makes
   it) and serves that with datasette (installed into bench/out/datasette-venv).
3. Times, over HTTP, 20 fixed queries: our /search/ page and datasette's equal-work
   ranked SQL query interleaved (each query asked of both in turn, who goes first
   alternating), then datasette's default unranked `?_search=` on its own, then ours
   narrowed to a theme and to a video.
4. Times a naive `icontains` scan through the ORM, the index's size and `reindex`.

Prints a Markdown table; results go in a dated file under bench/results/, cited from
docs/search.md#speed. Nothing here runs in CI.
"""

import argparse
import contextlib
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DB = OUT / "search.sqlite3"
LINES_PER_VIDEO = 3325  # 19 chapters of 175 lines: 997,500 lines for 300 videos


def db_for(videos: int) -> Path:
    """The default size keeps its old name; others are told apart by their video count."""
    return DB if videos == 300 else OUT / f"search-{videos}.sqlite3"


COPY = OUT / "datasette-copy.sqlite3"
SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
OUR_PORT, DATASETTE_PORT = 8765, 8766

QUERIES = [
    "team",  # common: in a large share of all lines
    "really good",
    "people work",
    "meta",
    "promotion",
    "manager",
    "startup",
    "interview",
    "snowboarding",
    "calibration",
    "staff engineer",
    '"asking for help"',
    '"promo packet"',
    '"big tech"',
    "senior engineer impact",
    "team -meta",
    "delegate",
    "leetcode hard",
    "qwertyuiop",  # no hits
    "zebra unicorn",
]


def env(database_url: str | None = None, **extra):
    database_url = database_url or f"sqlite:///{DB}"
    values = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    values.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="bench-" + "k" * 60 + "abcdefghij",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_DEBUG="0",
        **extra,
    )
    return values


def corpus_words() -> list[str]:
    if SEED.exists():
        text = SEED.read_text(encoding="utf-8").split("\n")[-1]
    else:
        text = " ".join(
            p.read_text(encoding="utf-8").split("\n")[-2] for p in (ROOT / "samples").glob("*.txt")
        )
    return [w for w in text.split() if not w.startswith(("##", "[")) and "]" not in w]


def generate(videos: int, segments: int) -> None:
    """Raw inserts through the real schema (its triggers fill the FTS index as they go)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for path in (DB, Path(f"{DB}-wal"), Path(f"{DB}-shm")):
        path.unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
    words = corpus_words()
    rng = random.Random(42)
    per_video = segments // videos
    per_chapter = per_video // 19
    db = sqlite3.connect(DB)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    theme_ids = [pk for (pk,) in db.execute("SELECT id FROM kb_theme")]
    started = time.perf_counter()
    segment_id = 0
    for v in range(videos):
        duration = per_video * 2
        db.execute(
            "INSERT INTO kb_video (slug, title, channel, published_on, duration_seconds, youtube_id,"
            " status, headline, intro, conclusion, resources, transcript_exact, import_key,"
            " source_hash, imported, description, created_at, updated_at) VALUES (?, ?, 'Bench',"
            " date('2020-01-01', ?), ?, ?, 'published', '', '', '', '[]', 1, '', '', '{}', '',"
            " datetime('now'), datetime('now'))",
            (f"video-{v}", f"Career talk {v}", f"+{v} days", duration, f"v{v:010d}"),
        )
        video_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        rows, chapter_ids = [], []
        for c in range(19):
            start = c * per_chapter * 2
            db.execute(
                "INSERT INTO kb_chapter (video_id, title, start_seconds) VALUES (?, ?, ?)",
                (video_id, f"Chapter {c} " + " ".join(rng.sample(words, 3)), start),
            )
            chapter_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            chapter_ids.append(chapter_id)
            texts = []
            for s in range(per_chapter):
                at = rng.randrange(len(words) - 8)
                text = " ".join(words[at : at + 7])
                texts.append(text)
                rows.append((video_id, chapter_id, start + s * 2.0, start + s * 2.0 + 2.0, text))
                segment_id += 1
            db.execute(
                "INSERT INTO kb_chaptertranscript (chapter_id, title, text) VALUES (?, 'Chapter', ?)",
                (chapter_id, " ".join(texts)),
            )
        db.executemany(
            "INSERT INTO kb_transcriptsegment (video_id, chapter_id, start_seconds, end_seconds,"
            " text, exact) VALUES (?, ?, ?, ?, ?, 1)",
            rows,
        )
        for n in range(15):
            at = rng.randrange(len(words) - 60)
            db.execute(
                "INSERT INTO kb_lesson (video_id, chapter_id, slug, title, body, status, start_seconds,"
                " position, import_key, imported, keywords, machine_draft, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'published', ?, ?, '', '{}', '', 0, datetime('now'),"
                " datetime('now'))",
                (
                    video_id,
                    chapter_ids[n],
                    f"lesson-{v}-{n}",
                    " ".join(words[at : at + 6]).capitalize(),
                    " ".join(words[at + 6 : at + 60]),
                    n * per_chapter * 2.0,
                    n,
                ),
            )
        # Every lesson under one or two of the starting themes, as editors would file them.
        lessons = db.execute("SELECT id FROM kb_lesson WHERE video_id = ?", (video_id,)).fetchall()
        # Three takeaways a lesson and ten published quotes a video, as imports and editors
        # leave them, so the page ranks every kind of content it shows.
        takeaways = []
        for (lesson,) in lessons:
            for position in range(3):
                at = rng.randrange(len(words) - 20)
                takeaways.append((lesson, " ".join(words[at : at + 16]).capitalize(), position))
        db.executemany(
            "INSERT INTO kb_takeaway (lesson_id, text, position, score, confirmed)"
            " VALUES (?, ?, ?, 0, 0)",
            takeaways,
        )
        quotes = []
        for q in range(10):
            at = rng.randrange(len(words) - 30)
            start = rng.randrange(duration - 10)
            lesson = lessons[q % len(lessons)][0]  # the lesson it backs, as editors cut them
            quotes.append(
                (video_id, chapter_ids[q], lesson, " ".join(words[at : at + 24]), start, start + 8)
            )
        db.executemany(
            "INSERT INTO kb_quote (video_id, chapter_id, lesson_id, text, speaker_name,"
            " start_seconds, end_seconds, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'Guest', ?, ?, 'published', datetime('now'), datetime('now'))",
            quotes,
        )
        db.executemany(
            "INSERT OR IGNORE INTO kb_lessontheme (content_object_id, tag_id) VALUES (?, ?)",
            [(lesson, theme) for (lesson,) in lessons for theme in rng.sample(theme_ids, 2)],
        )
        db.commit()
        if v % 50 == 49:
            print(
                f"  {v + 1} videos, {segment_id:,} segments, {time.perf_counter() - started:.0f} s"
            )
    db.close()
    print(f"generated {segment_id:,} segments in {time.perf_counter() - started:.0f} s")
    # The words each line says more than once, as refresh_chapter_texts keeps them (the
    # raw inserts above bypass it): what migration 0034 does for an existing base.
    started = time.perf_counter()
    manage_shell(
        "import importlib; from django.apps import apps;"
        " importlib.import_module('kb.migrations.0034_line_emphasis')"
        ".emphasise_every_line(apps, None)"
    )
    print(f"lines' repeated words kept in {time.perf_counter() - started:.1f} s")
    # As the end of every import does (kb.importers.pipeline).
    started = time.perf_counter()
    manage_shell("from kb import search; search.tidy_index()")
    print(f"search index tidied in {time.perf_counter() - started:.1f} s")
    embed_everything()


def manage_shell(code: str) -> None:
    """Run `code` in `manage.py shell` against the bench database."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env(), check=True
    )


def embed_everything() -> None:
    """Search by meaning's vectors for every lesson and transcript window, as imports
    write them (kb.search.meaning): timed, with their size on disk."""
    started = time.perf_counter()
    manage_shell(
        "from kb.models import Video; from kb.search import meaning\n"
        "for video in Video.objects.all(): meaning.index_video(video)"
    )
    # Each lesson's sentence vector too (kb.search.sense), as saves store them: without
    # them search would read lessons by the static model, as a base an older version
    # stored does until `reindex`.
    manage_shell(
        "from kb.models import Lesson; from kb.search import sense\n"
        "ids = list(Lesson.objects.order_by('pk').values_list('pk', flat=True))\n"
        "for at in range(0, len(ids), 500):\n"
        "    sense.index_lessons(Lesson.objects.filter(pk__in=ids[at:at + 500]))"
    )
    db = sqlite3.connect(DB)
    rows, size = db.execute(
        "SELECT count(*), sum(length(vector)) + sum(length(excerpt)) FROM kb_meaningvector"
    ).fetchone()
    db.close()
    print(
        f"embedded {rows:,} lessons, windows and sentence vectors in {time.perf_counter() - started:.0f} s "
        f"({size / 1e6:.0f} MB of vectors and excerpts)"
    )


def wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - started) * 1000


def measure(sides: dict[str, dict[str, str]], runs: int) -> dict[str, dict[str, list[float]]]:
    """Times every side's URL for each query in turn, run after run, so that whatever else
    this machine is doing slows all sides alike; who goes first changes every time."""
    for urls in sides.values():
        for url in urls.values():
            timed_get(url)  # warm caches
    keys = list(next(iter(sides.values())))
    times = {side: {q: [] for q in keys} for side in sides}
    names = list(sides)
    for run in range(runs):
        for n, q in enumerate(keys):
            turn = (run + n) % len(names)
            for side in names[turn:] + names[:turn]:
                times[side][q].append(timed_get(sides[side][q]))
    return times


def summary(times: dict[str, list[float]]) -> tuple[float, float, str, float]:
    every = sorted(t for values in times.values() for t in values)
    p50 = statistics.median(every)
    p95 = every[int(len(every) * 0.95) - 1]
    worst = max(times, key=lambda q: statistics.median(times[q]))
    return p50, p95, worst, statistics.median(times[worst])


def escape_fts(query: str) -> str:
    """datasette.utils.escape_fts: every token quoted, quotes balanced."""
    if query.count('"') % 2:
        query += '"'
    bits = [b for b in __import__("re").split(r'("[^"]*"|\s+)', query) if b.strip()]
    return " ".join(f'"{b.strip(chr(34))}"' for b in bits)


@contextlib.contextmanager
def serving(command: list[str], ready_url: str, **popen):
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen
    )
    try:
        wait_for(ready_url, server)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


def serve_ours(database_url: str | None = None, port: int = OUR_PORT):
    """Our site with gunicorn and production settings; the page cache is off, so the same
    query repeated measures the work, not the cache (datasette caches nothing either)."""
    settings = env(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=settings, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=settings,
        check=True,
    )
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    return serving(
        [gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "120"],
        f"http://127.0.0.1:{port}/healthz",
        cwd=ROOT,
        env=env(database_url, DJANGO_PAGE_CACHE_SECONDS="0", DJANGO_API_REQUESTS_PER_MINUTE="0"),
    )


def ours_urls(port: int = OUR_PORT, **filters: str) -> dict[str, str]:
    return {
        q: f"http://127.0.0.1:{port}/search/?" + urllib.parse.urlencode({"q": q, **filters})
        for q in QUERIES
    }


def filters() -> dict[str, dict[str, str]]:
    """A theme and a video to narrow the same searches to (datasette has no such thing)."""
    db = sqlite3.connect(DB)
    theme = db.execute("SELECT slug FROM kb_theme ORDER BY name LIMIT 1").fetchone()[0]
    video = db.execute("SELECT slug FROM kb_video ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    return {f"theme={theme}": {"theme": theme}, f"video={video}": {"video": video}}


def datasette_venv() -> Path:
    venv = OUT / "datasette-venv"
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return binary


DATASETTE = f"http://127.0.0.1:{DATASETTE_PORT}/datasette-copy"


def serve_datasette():
    """A copy of the file with datasette's own FTS5 index on the lines, served by it."""
    shutil.copy(DB, COPY)
    db = sqlite3.connect(COPY)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {row[0]}")
    for table in (
        "kb_lesson",
        "kb_takeaway",
        "kb_quote",
        "kb_chapter",
        "kb_chaptertranscript",
        "kb_transcriptsegment",
        "kb_video",
    ):
        db.execute(f"DROP TABLE IF EXISTS {table}_fts")
    # What `sqlite-utils enable-fts --fts5 kb_transcriptsegment text` creates.
    db.execute(
        "CREATE VIRTUAL TABLE [kb_transcriptsegment_fts] USING FTS5 ([text], content=[kb_transcriptsegment])"
    )
    db.execute(
        "INSERT INTO [kb_transcriptsegment_fts] (rowid, [text]) SELECT rowid, [text] FROM [kb_transcriptsegment]"
    )
    db.commit()
    db.close()
    return serving(
        [
            str(datasette_venv()),
            "serve",
            str(COPY),
            "-p",
            str(DATASETTE_PORT),
            "--setting",
            "sql_time_limit_ms",
            "60000",
            "--setting",
            "num_sql_threads",
            "2",
        ],
        f"{DATASETTE}.json",
    )


def datasette_urls() -> tuple[dict[str, str], dict[str, str]]:
    """The equal-work ranked SQL query, and the table's default (unranked) search."""
    sql = (
        "select rowid, text from kb_transcriptsegment_fts where kb_transcriptsegment_fts "
        "match :q order by rank limit 20"
    )
    ranked = {
        q: f"{DATASETTE}.json?" + urllib.parse.urlencode({"sql": sql, "q": escape_fts(q)})
        for q in QUERIES
    }
    unranked = {
        q: f"{DATASETTE}/kb_transcriptsegment.json?"
        + urllib.parse.urlencode({"_search": q, "_size": 20})
        for q in QUERIES
    }
    return ranked, unranked


def run_icontains(runs: int) -> dict[str, list[float]]:
    code = (
        "import json, sys, time, django; django.setup()\n"
        "from kb.models import TranscriptSegment\n"
        "from kb.search.query import parse_query\n"
        "out = {}\n"
        f"for q in {QUERIES!r}:\n"
        "    qs = TranscriptSegment.objects.published()\n"
        "    for word in parse_query(q).all_tokens: qs = qs.filter(text__icontains=word)\n"
        "    list(qs[:20])\n"
        "    times = []\n"
        f"    for _ in range({runs}):\n"
        "        t = time.perf_counter(); list(qs[:20]); times.append((time.perf_counter() - t) * 1000)\n"
        "    out[q] = times\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(result.stdout)


def index_size() -> float:
    db = sqlite3.connect(DB)
    total = 0
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE '%_fts_data' OR name LIKE '%_fts_idx' OR name LIKE '%_fts_docsize'"
    ):
        total += (
            db.execute(f"SELECT coalesce(sum(length(block)), 0) FROM {name}").fetchone()[0]
            if name.endswith("_data")
            else 0
        )
        if name.endswith(("_idx", "_docsize")):
            total += db.execute(f"SELECT count(*) * 16 FROM {name}").fetchone()[0]
    db.close()
    return total / 1e6


def reindex_seconds(database_url: str | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "reindex"],
        cwd=ROOT,
        env=env(database_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--segments", type=int, help=f"default {LINES_PER_VIDEO:,} a video")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    args = parser.parse_args()
    global DB
    DB = db_for(args.videos)
    if not (args.reuse and DB.exists()):
        generate(args.videos, args.segments or args.videos * LINES_PER_VIDEO)
    with serve_ours(), serve_datasette():
        ranked, unranked = datasette_urls()
        # Head to head; then datasette's own slow table search apart, so that its
        # half-second queries cannot weigh on the two being compared.
        times = measure({"ours": ours_urls(), "ranked": ranked}, args.runs)
        ours, ranked = times["ours"], times["ranked"]
        unranked = measure({"unranked": unranked}, max(args.runs // 2, 1))["unranked"]
        narrowed = measure(
            {name: ours_urls(**params) for name, params in filters().items()},
            max(args.runs // 4, 1),
        )
    naive = run_icontains(max(args.runs // 5, 1))
    rows = [
        ("ours: /search/ page (lessons, quotes and moments, ranked, rendered)", ours),
        ("datasette: ranked FTS5 SQL query (`order by rank limit 20`)", ranked),
        ("datasette: default table search (`?_search=`, unranked)", unranked),
        ("naive `icontains` scan (ORM, first 20, no HTTP)", naive),
        *((f"ours, narrowed to `{name}`", times) for name, times in narrowed.items()),
    ]
    db = sqlite3.connect(DB)
    lines = db.execute("SELECT count(*) FROM kb_transcriptsegment").fetchone()[0]
    db.close()
    print(f"\n{lines:,} transcript lines, {len(QUERIES)} queries x {args.runs} runs, interleaved\n")
    print("| what | p50 ms | p95 ms | slowest query (median ms) |")
    print("|---|---|---|---|")
    for label, times in rows:
        p50, p95, worst, worst_ms = summary(times)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | `{worst}` ({worst_ms:.1f}) |")
    print("\nper query, ours vs datasette ranked (median ms):")
    for q in QUERIES:
        print(f"  {q!r}: {statistics.median(ours[q]):.1f} vs {statistics.median(ranked[q]):.1f}")
    print(
        f"\nFTS index size: {index_size():.0f} MB; database file: {DB.stat().st_size / 1e6:.0f} MB"
    )
    print(f"reindex from scratch: {reindex_seconds():.1f} s")


if __name__ == "__main__":
    main()
