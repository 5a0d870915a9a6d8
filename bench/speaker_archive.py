"""Real speaker-labelled transcripts we did not write: a public archive of a podcast's
episodes (github: ChatPRD/lennys-podcast-transcripts), imported with `import_video DIR`.

    .venv/bin/python bench/speaker_archive.py GIT_DIR [--into DATABASE] [--sample 12]

GIT_DIR is the archive's git directory (the `fetch` tool's snapshot); its
`episodes/*/transcript.md` files are copied to bench/out/speaker-archive/ (never
committed) and imported into DATABASE (default: a new, empty SQLite file), with
`--publish`. Prints files a minute, the importer's resident memory every 50 files (flat
memory means nothing grows per file), its peak (ru_maxrss), how many imported whole (and
how many were a copy of a file imported before: unchanged), every `error:` line, and, for
a sample of episodes, the guest and host the import credited and the three who speak
most: the sample to check by hand against the transcript.
"""

import argparse
import collections
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as bench  # noqa: E402 - bench/search.py: env()
from batch_import import migrated, rss_mb  # noqa: E402

FILES = bench.OUT / "speaker-archive"
EMPTY = bench.OUT / "speaker-archive.sqlite3"


def copy_episodes(git_dir: str) -> int:
    shutil.rmtree(FILES, ignore_errors=True)
    FILES.mkdir(parents=True)
    # -z: a name with letters outside ASCII (gustav-söderström) is listed as it is, not
    # quoted, so it is not left out.
    names = subprocess.run(
        ["git", "-C", git_dir, "ls-tree", "-r", "-z", "--name-only", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    episodes = [n for n in names if re.fullmatch(r"episodes/[^/]+/transcript\.md", n)]
    for name in episodes:
        data = subprocess.run(
            ["git", "-C", git_dir, "show", f"HEAD:{name}"], capture_output=True, check=True
        ).stdout
        (FILES / f"{name.split('/')[1]}.md").write_bytes(data)
    return len(episodes)


SAMPLE = """
import re, sys
from collections import Counter
from kb.models import Video
videos = list(Video.objects.order_by("slug"))
step = max(len(videos) // int(sys.argv[1]), 1)
for video in videos[::step]:
    credits = {}
    for c in video.credits.select_related("person").order_by("position"):
        credits[c.role] = credits.get(c.role, "") + (" & " if c.role in credits else "") + c.person.name
    said = Counter(video.segments.values_list("speaker__name", flat=True))
    top = ", ".join(f"{name} {n}" for name, n in said.most_common(3))
    print(f"{video.youtube_id or video.slug}: guests {credits.get('guest', '-')!r}, "
          f"host {credits.get('host', '-')!r}; segments by {top}")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("git_dir")
    parser.add_argument("--into", help="database URL (default: a new, empty SQLite file)")
    parser.add_argument("--sample", type=int, default=12)
    args = parser.parse_args()
    count = copy_episodes(args.git_dir)
    env = migrated(args.into, EMPTY)
    started = time.perf_counter()
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_video", str(FILES), "--publish"],
        cwd=bench.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    memory, errors, warnings = {}, [], collections.Counter()
    copies = []
    every = {n for n in range(50, count, 50)} | {count}

    def follow() -> None:
        for line in importer.stdout:
            if match := re.match(r"\[(\d+)/(\d+)", line):
                if int(match.group(1)) in every:
                    memory[int(match.group(1))] = rss_mb(importer.pid)
            elif line.startswith("unchanged "):
                copies.append(line.split()[1])
            elif line.startswith("error"):
                errors.append(line.rstrip())
            elif line.startswith("warning"):
                # By shape: numbers and quoted names left out ('Nilan Peiris' → 'X').
                kind = re.sub(
                    r"(?<!\w)'[^']*'(?!\w)", "'X'", re.sub(r"\d+", "N", line.split(": ", 2)[-1])
                )
                warnings[kind.strip()[:80]] += 1

    reader = threading.Thread(target=follow)
    reader.start()
    importer.wait()
    reader.join()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{count} transcripts: {seconds:.0f} s, {count / seconds * 60:.0f} files a minute")
    print(
        f"imported whole: {count - len(errors) - len(copies)} of {count}; a copy of one "
        f"imported before (unchanged): {len(copies)}; refused: {len(errors)}"
    )
    print(
        "importer's memory after "
        + ", ".join(f"{n} files {mb:.0f} MB" for n, mb in sorted(memory.items()))
        + f"; peak {peak:.0f} MB"
    )
    for line in errors:
        print("  " + line)
    print("warnings, by kind:")
    for kind, n in warnings.most_common(12):
        print(f"  {n} × {kind}")
    print(f"sample of {args.sample} episodes, to check by hand:")
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SAMPLE, str(args.sample)],
        cwd=bench.ROOT, env=env, check=True,
    )  # fmt: skip


if __name__ == "__main__":
    main()
