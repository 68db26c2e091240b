#!/usr/bin/env bash
# Installs what building and testing cosd needs, idempotently:
#  - Debian packages: librocksdb-dev (the RocksDB library cosd links), libclang-dev (bindgen for
#    its Rust bindings), libssl-dev and pkg-config (OpenSSL's MD5 for object bodies), a C++
#    compiler and a C compiler (ring, the TLS crypto; mimalloc);
#  - a Python venv in tests/sdk/.venv with the pinned official SDKs;
#  - node and npm, and the pinned Node SDKs in tests/sdk/node/node_modules;
#  - Debian's chromium and the pinned playwright-core in tests/browser/node_modules (the
#    real-browser tests, tests/sdk/test_browser.py);
#  - podman, buildah and runc (the container image: scripts/image, tests/sdk/test_image.py).
# Sourced by scripts/run and scripts/test.
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cosd-target}"

ensure_debian_packages() {
    local missing=()
    dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
    dpkg -s librocksdb-dev >/dev/null 2>&1 || missing+=(librocksdb-dev)
    dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
    command -v cc >/dev/null 2>&1 || missing+=(gcc)
    command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    # The container image (scripts/image, tests/sdk/test_image.py): buildah builds it, podman
    # runs it with runc (crun cannot start containers under cgroups v1/hybrid); with them come
    # conmon, netavark, slirp4netns, uidmap and fuse-overlayfs.
    command -v podman >/dev/null 2>&1 || missing+=(podman)
    command -v buildah >/dev/null 2>&1 || missing+=(buildah)
    command -v runc >/dev/null 2>&1 || missing+=(runc)
    command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
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

# The legacy COS v4 JSON API tests (tests/sdk/test_json_api.py) drive the Python-2-only SDK
# qcloud_cos_v4 through tests/sdk/v4/driver.py. Finds a Python 2.7 interpreter, installs
# tests/sdk/requirements-py2.txt into tests/sdk/.py2 (pip --target, keyed on the file's sha256)
# and exports COSD_PY2=<interpreter>; COSD_PY2 is empty (and those tests skip) without one.
ensure_python2_env() {
    local target="$root_dir/tests/sdk/.py2" req="$root_dir/tests/sdk/requirements-py2.txt"
    local stamp="$target/.requirements.sha256"
    local py="" cand want
    for cand in "$(command -v python2.7 2>/dev/null || true)" "$HOME"/.pyenv/versions/2.7*/bin/python; do
        [ -n "$cand" ] && [ -x "$cand" ] || continue
        # (a pyenv shim is on PATH even when 2.7 is not the selected version: try it)
        if "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)' >/dev/null 2>&1; then
            py="$cand"
            break
        fi
    done
    export COSD_PY2=""
    if [ -z "$py" ]; then
        echo "prereqs: no Python 2.7 interpreter found; the legacy v4 SDK tests will be skipped" >&2
        return 0
    fi
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        rm -rf "$target"
        mkdir -p "$target"
        local log
        if ! log="$("$py" -m pip install -q --disable-pip-version-check --no-warn-script-location \
                --target "$target" -r "$req" 2>&1)" \
            || ! PYTHONPATH="$target" "$py" -c 'import qcloud_cos, requests' >/dev/null 2>&1; then
            printf '%s\n' "$log" >&2
            echo "prereqs: installing $req for $py failed; the legacy v4 SDK tests will be skipped" >&2
            return 0
        fi
        echo "$want" >"$stamp"
    fi
    export COSD_PY2="$py"
}

# The Node SDK tests (tests/sdk/test_sts_node.py) run tests/sdk/node/sts_flow.js with the npm
# packages pinned in tests/sdk/node/package-lock.json; the browser tests (tests/sdk/test_browser.py)
# run tests/browser/run.js with playwright-core pinned in tests/browser/package-lock.json (it
# drives Debian's /usr/bin/chromium and downloads no browser). Runs `npm ci` in each directory
# when its node_modules is missing or its lock changed (keyed on the lock's sha256, like the
# venv); without node/npm, or if npm ci fails, those tests are skipped.
ensure_node_env() {
    local dir stamp want
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "prereqs: node/npm not found; the Node SDK and browser tests will be skipped" >&2
        return 0
    fi
    for dir in "$root_dir/tests/sdk/node" "$root_dir/tests/browser"; do
        stamp="$dir/node_modules/.package-lock.sha256"
        want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
        if [ ! -d "$dir/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
            if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error); then
                echo "prereqs: npm ci in $dir failed; the tests that need it will be skipped" >&2
                continue
            fi
            echo "$want" >"$stamp"
        fi
    done
}
