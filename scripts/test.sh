#!/usr/bin/env bash
# Installs what the tests need (Debian packages when missing, a virtualenv with the test extra),
# then checks formatting and lint and runs the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r package; do
    [ -z "$package" ] && continue
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done < .ci/apt-packages
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "note: missing Debian packages (${missing[*]}); the tests that need them are skipped" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff format --check --quiet .
.venv/bin/ruff check --quiet .
.venv/bin/mypy
# One worker per core (tmp dirs, tmux sockets and ports are per test, so tests never collide).
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n auto "$@"
