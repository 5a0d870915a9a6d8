#!/usr/bin/env bash
# Load benchmark (see bench/load.py): make serve on SQLite, ~200 videos, wrk at 64 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
make install >/dev/null
exec .venv/bin/python bench/load.py "$@"
