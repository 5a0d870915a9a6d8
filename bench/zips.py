"""Benchmark: zips that lie, and the order of a big yt-dlp folder (docs/hardening.md,
"Uploads and zips").

    .venv/bin/python bench/zips.py [--code DIR]...

For each checkout of the code given (default: this one), each in a fresh process: the
peak memory of `batch.read_zip` on a 2 MB zip whose header declares 10 bytes for a member
that inflates to 2 GB, and on a zip of 100,000 empty files; and the time `batch.plan`
takes to order 2,000 and 4,000 info.json + captions pairs. To compare with older code:

    git worktree add /tmp/old d20e28f
    .venv/bin/python bench/zips.py --code /tmp/old --code .

The zips are written once into bench/out/. Nothing here runs in CI.
"""

import argparse
import io
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BOMB = OUT / "liar-2gb.zip"
MANY = OUT / "many-100k.zip"


def write_liar_zip(out, name: str, inflated: int, declared: int = 10) -> None:
    """A zip of one member, `inflated` bytes of zeros, whose headers declare `declared`:
    written as it is compressed, so a 2 GB bomb costs a megabyte of memory to make."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block, crc, body = bytes(1024 * 1024), 0, io.BytesIO()
    left = inflated
    while left:
        piece = block[: min(left, len(block))]
        crc = zlib.crc32(piece, crc)
        body.write(compressor.compress(piece))
        left -= len(piece)
    body.write(compressor.flush())
    packed, encoded = body.getvalue(), name.encode()
    # The sizes in both headers are what zipfile trusts; CRC and data are the real ones.
    sizes = struct.pack("<III", crc, len(packed), declared)
    local = b"PK\x03\x04" + struct.pack("<HHHHH", 20, 0, 8, 0, 0x21) + sizes
    local += struct.pack("<HH", len(encoded), 0) + encoded
    central = b"PK\x01\x02" + struct.pack("<HHHHHH", 20, 20, 0, 8, 0, 0x21) + sizes
    central += struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(packed), 0
    )
    out.write(local + packed + central + end)


def pairs(count: int) -> list[str]:
    """What `yt-dlp --write-info-json --write-auto-subs` leaves for `count` videos."""
    names = []
    for n in range(count):
        stem = f"Talk {n} [{n:011d}]"
        names += [f"{stem}.en.vtt", f"{stem}.info.json"]
    return names


def child(code: str, what: str) -> None:
    """In a fresh process, with `code`'s kb: one measurement, printed as one line."""
    sys.path.insert(0, code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from kb.importers import batch

    if what == "plan":
        for count in (2000, 4000):
            names = pairs(count)
            start = time.perf_counter()
            planned, _ = batch.plan(names)
            seconds = time.perf_counter() - start
            paired = sum(len(p.beside) for p in planned)
            print(
                f"order {count} pairs: {seconds:.2f} s ({len(planned)} documents, {paired} paired)"
            )
        return
    path = BOMB if what == "liar" else MANY
    data = path.read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    try:
        try:
            files = batch.read_zip(data, max_bytes=20 * 1024 * 1024, max_files=1000)
        except TypeError:  # the code before the limits were settings
            files = batch.read_zip(data, 20 * 1024 * 1024)
        outcome = f"accepted, {len(files)} files, {sum(map(len, files.values()))} bytes"
    except Exception as exc:  # noqa: BLE001 - what it raised is the result
        outcome = f"refused: {type(exc).__name__}: {str(exc)[:90]}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {path.name} ({len(data) / 1e6:.1f} MB): {seconds:.2f} s, peak {peak:.0f} MB "
        f"(+{peak - before:.0f} MB over the loaded code), {outcome}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", action="append", default=[])
    parser.add_argument("--child", nargs=2, metavar=("CODE", "WHAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    OUT.mkdir(parents=True, exist_ok=True)
    if not BOMB.exists():
        with BOMB.open("wb") as out:
            write_liar_zip(out, "talk [abcdefghijk].en.vtt", 2 * 1024**3)
    if not MANY.exists():
        with zipfile.ZipFile(MANY, "w") as archive:
            for n in range(100_000):
                archive.writestr(f"{n}.vtt", b"")
    for code in args.code or [str(ROOT)]:
        print(f"## {Path(code).resolve()}", flush=True)
        for what in ("liar", "many", "plan"):
            subprocess.run(
                [sys.executable, __file__, "--child", str(Path(code).resolve()), what],
                check=True,
                cwd=code,
            )


if __name__ == "__main__":
    main()
