#!/usr/bin/env bash
# Two app servers behind HAProxy on one PostgreSQL and one Redis (see bench/cluster.py).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in haproxy wrk; do
    command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null
done
make install >/dev/null
exec .venv/bin/python bench/cluster.py "$@"
