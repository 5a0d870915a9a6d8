"""What junk query strings and oversized bodies cost one production gunicorn worker.

    .venv/bin/python bench/junk_queries.py [--code DIR] [--requests 240] [--stretch N]
                                           [--upload-mb 1024]

Builds a temporary SQLite knowledge base (the samples, plus the seed summary page from
../shared/seeds imported with --publish: its transcript page is the largest page there
is), starts gunicorn in production mode with one worker and the local-memory page cache,
and measures the worker's resident memory (VmRSS, and its peak VmHWM) before and after
`--requests` anonymous GETs of the transcript page, each with its own junk query string
(`?utm=N`); `--stretch N` says the seed's transcript N times over (bench/big_page.py), for
a transcript page of many megabytes. Then a 1 GB file uploaded to the sign-in page
(`--upload-mb`; sent while the server reads, as a browser would, with a CSRF cookie as
anyone can get) and a chunked 64 MB POST: how long until the answer, and its status.

`--code DIR` runs another checkout's code with this script (e.g. a `git worktree` of an
older commit), so before and after are measured the same way. Prints a Markdown table.
"""

import argparse
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from big_page import stretch  # noqa: E402 - bench/big_page.py

SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"


# Anyone gets a CSRF cookie from the sign-in page; with one, Django reads the form (to find
# the token) and so spools the whole body before refusing it.
CSRF_COOKIE = "Cookie: csrftoken=" + "a" * 32 + "\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(code: Path, work: Path, port: int) -> dict:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    values.update(
        # The checkout measured comes first, before this venv's editable install.
        PYTHONPATH=str(code),
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{work / 'kb.sqlite3'}",
        DJANGO_SECRET_KEY="bench-" + "k" * 60 + "abcdefghij",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_DEBUG="0",
        DJANGO_STATIC_ROOT=str(work / "static"),
        DJANGO_CARDS_DIR=str(work / "cards"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    return values


def manage(code: Path, env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=code, env=env, capture_output=True, text=True, timeout=900, check=True,
    )  # fmt: skip
    return result.stdout


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) for k in ("VmRSS", "VmHWM")}


def get(url: str) -> tuple[int, int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, len(response.read()), response.headers.get("X-Cache", "")
    except urllib.error.HTTPError as error:
        return error.code, len(error.read()), error.headers.get("X-Cache", "")


def raw_post(port: int, head: str, body_chunks) -> tuple[str, float]:
    """Sends `head`, then the body chunk by chunk until the server answers; (its status
    line, seconds until it did)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(head.encode())
        answer = b""
        try:
            for n, chunk in enumerate(body_chunks):
                s.sendall(chunk)
                # A server that answers without reading the body answers at once: wait a
                # moment after the first chunk, so its answer is read before it resets the
                # connection on the bytes we would keep sending.
                if select.select([s], [], [], 0.5 if n == 0 else 0)[0]:
                    break
            while b"\r\n" not in answer:
                data = s.recv(4096)
                if not data:
                    break
                answer += data
        except OSError:
            pass  # closed on us: whatever was answered is in `answer`
    status = answer.split(b"\r\n", 1)[0].decode() or "(connection closed, no answer)"
    return status, time.perf_counter() - started


def multipart_upload(megabytes: int):
    """A form with one file of `megabytes` MB, as a browser sends it; (head, chunks)."""
    start = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    end = b"\r\n--x--\r\n"
    chunk = b"x" * (1024 * 1024)
    length = len(start) + megabytes * len(chunk) + len(end)
    head = (
        f"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{CSRF_COOKIE}"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n"
    )
    return head, [start, *([chunk] * megabytes), end]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--requests", type=int, default=240)
    parser.add_argument("--stretch", type=int, default=1)
    parser.add_argument("--upload-mb", type=int, default=1024)
    args = parser.parse_args()
    code = args.code.resolve()
    if not SEED.exists():
        raise SystemExit(f"the seed page is not here: {SEED}")
    work = Path(tempfile.mkdtemp(prefix="kb-junk-"))
    port = free_port()
    env = environment(code, work, port)
    try:
        manage(code, env, "migrate", "--no-input")
        manage(code, env, "collectstatic", "--no-input", "-v0")
        manage(code, env, "load_samples")
        page = work / SEED.name
        page.write_text(stretch(SEED.read_text(encoding="utf-8"), args.stretch), encoding="utf-8")
        imported = manage(code, env, "import_video", str(page), "--publish")
        slug = re.search(r"imported ([\w-]+):", imported).group(1)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            run(args, port, slug, server)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, port: int, slug: str, server: subprocess.Popen) -> None:
    site = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{site}/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    worker = worker_pid(server.pid)
    page = f"{site}/videos/{slug}/transcript/"
    status, size, _ = get(page)
    assert status == 200, status
    get(page)
    before = memory_kb(worker)
    started = time.perf_counter()
    states: dict[str, int] = {}
    for n in range(args.requests):
        status, _, x_cache = get(f"{page}?utm={n}")
        assert status == 200, status
        states[x_cache or "(none)"] = states.get(x_cache or "(none)", 0) + 1
    seconds = time.perf_counter() - started
    after = memory_kb(worker)
    assert worker_pid(server.pid) == worker, "the worker was replaced during the run"

    big_status, big_seconds = raw_post(port, *multipart_upload(args.upload_mb))
    chunk = b"x" * (1024 * 1024)
    chunked_head = (
        f"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{CSRF_COOKIE}"
        "Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(64)] + [b"0\r\n\r\n"]
    chunked_status, chunked_seconds = raw_post(port, chunked_head, chunks)
    try:
        last = f"{memory_kb(worker)['VmHWM'] / 1024:.1f} MB"
    except FileNotFoundError:
        last = "(the worker was killed and replaced)"

    print(f"code: {args.code}")
    print(f"transcript page: {size / 1e6:.1f} MB; {args.requests} junk query strings")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| worker RSS before | {before['VmRSS'] / 1024:.1f} MB |")
    print(f"| worker RSS after | {after['VmRSS'] / 1024:.1f} MB |")
    print(f"| RSS growth | {(after['VmRSS'] - before['VmRSS']) / 1024:.1f} MB |")
    print(f"| worker peak RSS (VmHWM) | {after['VmHWM'] / 1024:.1f} MB |")
    print(f"| X-Cache answers | {', '.join(f'{k}: {v}' for k, v in sorted(states.items()))} |")
    print(
        f"| time for the junk requests | {seconds:.1f} s ({seconds / args.requests * 1000:.0f} ms each) |"
    )  # noqa: E501
    print(
        f"| a {args.upload_mb} MB file POSTed to /admin/login/ | {big_status}, {big_seconds:.2f} s |"
    )
    print(f"| chunked 64 MB POST to /admin/login/ | {chunked_status}, {chunked_seconds:.2f} s |")
    print(f"| worker peak RSS at the end | {last} |")


if __name__ == "__main__":
    main()
