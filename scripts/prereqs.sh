#!/usr/bin/env bash
# Installs what building and testing cosd needs, idempotently:
#  - Debian packages: librocksdb-dev (the RocksDB library cosd links), libclang-dev (bindgen for
#    its Rust bindings) and a C++ compiler;
#  - a Python venv in tests/sdk/.venv with the pinned official SDKs.
# Sourced by scripts/run and scripts/test.
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cosd-target}"

ensure_debian_packages() {
    local missing=()
    dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
    dpkg -s librocksdb-dev >/dev/null 2>&1 || missing+=(librocksdb-dev)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
    command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "prereqs: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_python_env() {
    local venv="$root_dir/tests/sdk/.venv" req="$root_dir/tests/sdk/requirements.txt"
    local stamp="$venv/.requirements.sha256"
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
        echo "$want" >"$stamp"
    fi
}
