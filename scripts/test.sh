#!/usr/bin/env bash
# scripts/test.sh — THE test command: `scripts/test.sh [extra cargo test args]`
#
# 1. installs the external tools the tests need, only if they are missing:
#      - Debian packages poppler-utils (pdfsig), qpdf, libnss3-tools (certutil),
#        pkg-config, libssl-dev (OpenSSL headers), fonts-liberation2 (the
#        Times-compatible serif the signing engine embeds)
#      - Python packages pyhanko, pyhanko-cli, pyhanko-certvalidator
#    (their output goes to $VANTHU_SERVICES_LOG_DIR, default ~/.cache/vanthu/logs)
# 2. starts (or reuses) PostgreSQL + Garage with scripts/services.sh and loads
#    the VANTHU_TEST_* variables it writes,
# 3. sets VANTHU_TEST_REQUIRE_SERVICES=1 so that tests needing the services
#    fail instead of skipping,
# 4. runs `cargo test --workspace --locked "$@"` and exits with its status.
#
# Services are left running for the next run, unless VANTHU_STOP_SERVICES=1.
# CARGO_TARGET_DIR, if set, is honoured by cargo as usual.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
LOG_DIR="${VANTHU_SERVICES_LOG_DIR:-$HOME/.cache/vanthu/logs}"
export VANTHU_SERVICES_LOG_DIR="$LOG_DIR"
mkdir -p "$LOG_DIR"

say() { printf '[test] %s\n' "$*" >&2; }
die() { printf '[test] ERROR: %s\n' "$*" >&2; exit 1; }

# Run "$@" with all output in $LOG_DIR/$1-ish log; on failure show its tail.
logged() {
    local log="$LOG_DIR/$1.log"
    shift
    if ! "$@" >>"$log" 2>&1; then
        say "command failed: $* — last lines of $log:"
        tail -n 40 "$log" >&2
        return 1
    fi
}

# root, or sudo without password, for apt-get.
# shellcheck disable=SC2317  # only called through `logged`
as_root() {
    if [[ "$(id -u)" == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        die "need root to run: $* (install the packages by hand, or run as root)"
    fi
}

# ---------------------------------------------------------------------------
# 1a. Debian packages
# ---------------------------------------------------------------------------
openssl_headers_present() {
    if command -v pkg-config >/dev/null && pkg-config --exists openssl 2>/dev/null; then
        return 0
    fi
    [[ -f /usr/include/openssl/ssl.h ]]
}

ensure_apt_packages() {
    local missing=()
    command -v pdfsig >/dev/null || missing+=(pdfsig)
    command -v qpdf >/dev/null || missing+=(qpdf)
    command -v certutil >/dev/null || missing+=(certutil)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    openssl_headers_present || missing+=(openssl-headers)
    # The serif font the signing engine embeds for Vietnamese numbers and dates.
    [[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]] || missing+=(fonts-liberation2)
    if ((${#missing[@]} == 0)); then
        return
    fi
    say "missing ${missing[*]}: installing Debian packages (log: $LOG_DIR/apt.log)"
    command -v apt-get >/dev/null || die "apt-get not available; install poppler-utils qpdf libnss3-tools pkg-config libssl-dev by hand"
    export DEBIAN_FRONTEND=noninteractive
    logged apt as_root apt-get update
    logged apt as_root apt-get install -y --no-install-recommends \
        poppler-utils qpdf libnss3-tools pkg-config libssl-dev fonts-liberation2 fonts-dejavu-core
}

# ---------------------------------------------------------------------------
# 1b. pyHanko (PDF signature validation used by the tests)
# ---------------------------------------------------------------------------
PY_VENV="$HOME/.cache/vanthu/venv"

ensure_pyhanko() {
    # A venv made by an earlier run (see below) comes first on PATH.
    if [[ -x "$PY_VENV/bin/pyhanko" ]]; then
        export PATH="$PY_VENV/bin:$PATH"
    fi
    command -v pyhanko >/dev/null && return
    local pkgs=(pyhanko pyhanko-cli pyhanko-certvalidator)
    say "pyhanko missing: pip install ${pkgs[*]} (log: $LOG_DIR/pip.log)"
    command -v python3 >/dev/null || die "python3 is needed for pyhanko"
    # First try the current Python; a Debian system Python refuses
    # (PEP 668 "externally managed"), then fall back to a private venv.
    if python3 -m pip install -q "${pkgs[@]}" >>"$LOG_DIR/pip.log" 2>&1 && command -v pyhanko >/dev/null; then
        return
    fi
    say "pip install into the current Python did not work; using a venv in $PY_VENV"
    if ! python3 -m venv "$PY_VENV" >>"$LOG_DIR/pip.log" 2>&1; then
        logged apt as_root apt-get update
        logged apt as_root apt-get install -y --no-install-recommends python3-venv
        logged pip python3 -m venv "$PY_VENV"
    fi
    logged pip "$PY_VENV/bin/python" -m pip install -q "${pkgs[@]}"
    export PATH="$PY_VENV/bin:$PATH"
    command -v pyhanko >/dev/null || die "pyhanko still not on PATH after installing it"
}

ensure_apt_packages
ensure_pyhanko
command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"

# ---------------------------------------------------------------------------
# 2. Backing services
# ---------------------------------------------------------------------------
SERVICES_DIR="${VANTHU_SERVICES_DIR:-$HOME/.cache/vanthu/services}"
"$SCRIPT_DIR/services.sh" start "$SERVICES_DIR"

if [[ "${VANTHU_STOP_SERVICES:-0}" == 1 ]]; then
    # Stop them whatever happens from here on.
    trap '"$SCRIPT_DIR/services.sh" stop "$SERVICES_DIR" || true' EXIT
fi

# shellcheck disable=SC1091
. "$SERVICES_DIR/env"
export VANTHU_TEST_REQUIRE_SERVICES=1

# vanthu reads every VANTHU_* variable (except VANTHU_CONFIG and VANTHU_TEST_*)
# as configuration and rejects unknown keys: keep the knobs of these scripts
# (VANTHU_SERVICES_*, VANTHU_STOP_SERVICES) out of the tests' environment.
for var in $(compgen -e); do
    # shellcheck disable=SC2163  # un-export the variable named by $var
    case "$var" in
        VANTHU_SERVICES_* | VANTHU_STOP_SERVICES) export -n "$var" ;;
    esac
done

# ---------------------------------------------------------------------------
# 3. The tests
# ---------------------------------------------------------------------------
cd "$REPO_DIR"
say "cargo test --workspace --locked $* (target dir: ${CARGO_TARGET_DIR:-$REPO_DIR/target})"
status=0
cargo test --workspace --locked "$@" || status=$?
if ((status != 0)); then
    say "cargo test failed with status $status"
fi
exit "$status"
