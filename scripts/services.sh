#!/usr/bin/env bash
# scripts/services.sh — start/stop the real backing services used by vanthu's
# integration tests: a private PostgreSQL 15 cluster and a single-node Garage
# (S3-compatible object store), both listening on loopback only.
#
# Usage:
#   scripts/services.sh start  [STATE_DIR]   start (or reuse) both services, write STATE_DIR/env
#   scripts/services.sh stop   [STATE_DIR]   stop both services (state is kept for next start)
#   scripts/services.sh env    [STATE_DIR]   print STATE_DIR/env (export lines)
#   scripts/services.sh status [STATE_DIR]   tell whether each service is running
#
# STATE_DIR defaults to ${VANTHU_SERVICES_DIR:-$HOME/.cache/vanthu/services}.
#
# `start` is idempotent: a second run reuses the running servers, the existing
# database cluster, the Garage layout, bucket and key. After it, use:
#   . "$STATE_DIR/env"    # exports VANTHU_TEST_POSTGRES_URL, VANTHU_TEST_S3_*
#
# Knobs (environment; all named VANTHU_SERVICES_* — scripts/test.sh removes
# them before running cargo, because vanthu itself reads every other VANTHU_*
# variable as configuration and rejects unknown keys):
#   VANTHU_SERVICES_DIR          default STATE_DIR
#   VANTHU_SERVICES_PG_PORT      PostgreSQL port (default 55432)
#   VANTHU_SERVICES_S3_PORT / VANTHU_SERVICES_RPC_PORT / VANTHU_SERVICES_ADMIN_PORT
#                                Garage ports (default 3900 / 3901 / 3903)
#   VANTHU_SERVICES_LOG_DIR      where long build logs go (default $HOME/.cache/vanthu/logs)
#   GARAGE_BIN            explicit path of a garage v2 binary
#   PG_BIN                directory with initdb/pg_ctl/postgres/psql (default:
#                         /usr/lib/postgresql/15/bin, else the newest other
#                         /usr/lib/postgresql/*/bin, else pg_config --bindir)
set -euo pipefail

# ----------------------------------------------------------------------------
# Constants and paths
# ----------------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
GARAGE_TEMPLATE="$REPO_DIR/deploy/garage/garage.toml.template"
GARAGE_VERSION_WANTED="2.5.0"

PG_PORT="${VANTHU_SERVICES_PG_PORT:-55432}"
PG_ROLE="vanthu"
PG_PASSWORD="vanthu"
S3_PORT="${VANTHU_SERVICES_S3_PORT:-3900}"
RPC_PORT="${VANTHU_SERVICES_RPC_PORT:-3901}"
ADMIN_PORT="${VANTHU_SERVICES_ADMIN_PORT:-3903}"
S3_REGION="garage"
S3_BUCKET="vanthu-test"
S3_KEY_NAME="vanthu-test-key"
LOG_DIR="${VANTHU_SERVICES_LOG_DIR:-$HOME/.cache/vanthu/logs}"

say() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
CMD="$1"
STATE_DIR="${2:-${VANTHU_SERVICES_DIR:-$HOME/.cache/vanthu/services}}"
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)" # absolute: it ends up in config files
ENV_FILE="$STATE_DIR/env"

GARAGE_DIR="$STATE_DIR/garage"
GARAGE_CONF="$GARAGE_DIR/garage.toml"
GARAGE_LOG="$GARAGE_DIR/garage.log"
GARAGE_PIDFILE="$GARAGE_DIR/garage.pid"

# ----------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------

# Is something accepting TCP connections on 127.0.0.1:$1 ? (bash /dev/tcp, no nc needed)
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Random hex string of $1 bytes (2*$1 hex characters).
rand_hex() {
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# Read a secret from $1, generating it with `rand_hex $2` on first use.
persistent_secret() {
    local file="$1" bytes="$2"
    if [[ ! -s "$file" ]]; then
        (umask 077 && rand_hex "$bytes" >"$file")
    fi
    cat "$file"
}

# Replace @@NAME@@ placeholders: subst_template IN OUT NAME=VALUE...
subst_template() {
    local in="$1" out="$2" kv name value esc
    shift 2
    local content
    content="$(cat "$in")"
    for kv in "$@"; do
        name="${kv%%=*}"
        value="${kv#*=}"
        esc="${value//\\/\\\\}"          # keep bash pattern replacement literal
        content="${content//@@${name}@@/$esc}"
    done
    if grep -q '@@[A-Z_]*@@' <<<"$content"; then
        die "unsubstituted placeholder left in $in: $(grep -o '@@[A-Z_]*@@' <<<"$content" | sort -u | tr '\n' ' ')"
    fi
    (umask 077 && printf '%s\n' "$content" >"$out.tmp" && mv -f "$out.tmp" "$out")
}

# Hold an exclusive lock on the state dir for the rest of the script, so that
# two concurrent `start`s (e.g. two test runs) do not race each other.
take_lock() {
    exec 9>"$STATE_DIR/.lock"
    if ! flock -w 600 9; then
        die "could not lock $STATE_DIR/.lock within 10 minutes"
    fi
}

# ----------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    local d
    # Any other Debian-packaged server version (newest first).
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -rn); do
        [[ -x "$d/initdb" ]] && { echo "$d"; return; }
    done
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return
    fi
    if command -v initdb >/dev/null; then
        dirname "$(command -v initdb)"
        return
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15 or set PG_BIN"
}

# initdb/postgres refuse to run as root. When we are root, run them as the
# `postgres` system user, and keep the cluster somewhere that user can reach
# (root's $HOME is usually mode 0700).
setup_pg_paths() {
    PG_BIN="$(find_pg_bin)"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
        # runuser lives in /usr/sbin, which a minimal PATH may lack.
        RUNUSER="$(command -v runuser || echo /usr/sbin/runuser)"
        [[ -x "$RUNUSER" ]] || die "running as root but runuser (util-linux) is missing"
        PG_USER=postgres
        if "$RUNUSER" -u postgres -- test -w "$STATE_DIR" 2>/dev/null; then
            PG_DIR="$STATE_DIR/postgres"
        else
            # Deterministic per STATE_DIR, so that stop/start find it again.
            local tag
            tag="$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"
            PG_DIR="/var/lib/postgresql/vanthu-services/$tag"
        fi
    else
        PG_USER="$(id -un)"
        PG_DIR="$STATE_DIR/postgres"
    fi
    PG_DATA="$PG_DIR/data"
    PG_SOCK_DIR="$PG_DIR/run"
    PG_LOG="$PG_DIR/postgres.log"
}

# Run a command as the cluster's owner.
as_pg() {
    if [[ "$(id -u)" == 0 ]]; then
        "$RUNUSER" -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    [[ -f "$PG_DATA/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# psql as the bootstrap superuser over the private unix socket (trust auth);
# the SQL comes on stdin.
pg_admin_psql() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres
}

pg_url() {
    echo "postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
}

pg_init() {
    say "postgres: creating cluster in $PG_DATA"
    mkdir -p "$PG_DIR"
    if [[ "$(id -u)" == 0 ]]; then
        chown "$PG_USER:" "$PG_DIR"
        chmod 700 "$PG_DIR"
    fi
    # Remove a half-made data dir left by an interrupted initdb.
    as_pg rm -rf "$PG_DATA"
    # local (unix socket, only reachable by the cluster owner / root) = trust,
    # TCP = password (scram-sha-256).
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
        { tail -n 30 "$PG_DIR/initdb.log" >&2; die "initdb failed (log: $PG_DIR/initdb.log)"; }
    # Test-friendly settings, appended to the fresh cluster's postgresql.conf.
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF

# ---- added by vanthu scripts/services.sh ----
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
max_connections = 300
# Test data is disposable: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

# Wait up to $1 seconds for the server to accept connections on its socket.
pg_wait_ready() {
    for _ in $(seq 1 $(($1 * 2))); do
        as_pg "$PG_BIN/pg_isready" -q -h "$PG_SOCK_DIR" -p "$PG_PORT" && return 0
        sleep 0.5
    done
    return 1
}

pg_start() {
    setup_pg_paths
    if pg_running && ! pg_wait_ready 15; then
        # A postmaster.pid whose process does not answer (killed, hung,
        # shutting down): stop it hard and start afresh below.
        say "postgres: server in $PG_DATA does not answer; restarting it"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if pg_running; then
        say "postgres: reusing running server ($PG_DATA, port $PG_PORT)"
    else
        if port_open "$PG_PORT"; then
            # Someone else listens on our port (another STATE_DIR, a system
            # server...). Reuse it only if our credentials work there.
            if PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q "$(pg_url)" -c 'select 1' >/dev/null 2>&1; then
                say "postgres: port $PG_PORT is served by another server that accepts $PG_ROLE/$PG_PASSWORD; reusing it"
                return 0
            fi
            die "port $PG_PORT is in use by something that is not our PostgreSQL (set VANTHU_SERVICES_PG_PORT to use another port)"
        fi
        [[ -f "$PG_DATA/PG_VERSION" ]] || pg_init
        as_pg mkdir -p "$PG_SOCK_DIR"
        say "postgres: starting on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
        # 9>&-: the server must not inherit our lock file descriptor, or it
        # would hold the lock for as long as it runs.
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&-; then
            tail -n 30 "$PG_LOG" >&2 || true
            die "postgres failed to start (log: $PG_LOG)"
        fi
    fi
    # Create the test role if missing (idempotent).
    pg_admin_psql <<EOF
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
        CREATE ROLE $PG_ROLE LOGIN CREATEDB SUPERUSER PASSWORD '$PG_PASSWORD';
    END IF;
END
\$\$;
EOF
    # Convenience link for humans when the cluster lives outside STATE_DIR.
    if [[ "$PG_DIR" != "$STATE_DIR/postgres" ]]; then
        ln -sfn "$PG_DIR" "$STATE_DIR/postgres"
    fi
    PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q "$(pg_url)" -c 'select 1' >/dev/null ||
        die "postgres: cannot log in as $PG_ROLE over TCP"
    say "postgres: ready ($(pg_url))"
}

pg_stop() {
    setup_pg_paths
    if pg_running; then
        say "postgres: stopping ($PG_DATA)"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
    else
        say "postgres: not running"
    fi
}

# ----------------------------------------------------------------------------
# Garage
# ----------------------------------------------------------------------------

# Print the major version of the garage binary $1 ("2" for "cargo:2.5.0" or
# "v2.5.0 [features: ...]"), or nothing.
garage_major() {
    "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 | cut -d. -f1
}

# Locate a Garage v2 binary, building it with cargo as a last resort.
find_garage() {
    local c candidates=()
    [[ -n "${GARAGE_BIN:-}" ]] && candidates+=("$GARAGE_BIN")
    command -v garage >/dev/null 2>&1 && candidates+=("$(command -v garage)")
    candidates+=("${CARGO_HOME:-$HOME/.cargo}/bin/garage" "$HOME/.cache/vanthu/tools/bin/garage")
    for c in "${candidates[@]}"; do
        if [[ -x "$c" ]]; then
            if [[ "$(garage_major "$c")" == 2 ]]; then
                GARAGE="$c"
                return
            fi
            say "garage: ignoring $c (not version 2.x: $("$c" --version 2>/dev/null | head -n1))"
        fi
    done

    command -v cargo >/dev/null || die "garage not found and cargo is not available to build it"
    # Install into ~/.cargo/bin unless something (an older garage) is already
    # there; in that case use a private root so we do not clobber it.
    local root_args=() root_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
    if [[ -e "$root_bin/garage" ]]; then
        root_args=(--root "$HOME/.cache/vanthu/tools")
        root_bin="$HOME/.cache/vanthu/tools/bin"
    fi
    mkdir -p "$LOG_DIR"
    local log="$LOG_DIR/garage-install.log"
    say "garage: not found; building it with 'cargo install garage --locked --version $GARAGE_VERSION_WANTED'"
    say "garage: this is a long build (~30 minutes on 2 cores); log: $log"
    local t0=$SECONDS
    # env -u CARGO_TARGET_DIR: build in cargo's own temporary dir, not in the
    # project's target dir (CI sets one), so gigabytes of Garage build
    # artefacts do not stay behind.
    if ! env -u CARGO_TARGET_DIR cargo install garage --locked --version "$GARAGE_VERSION_WANTED" "${root_args[@]}" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "cargo install garage failed (full log: $log)"
    fi
    say "garage: built in $(((SECONDS - t0) / 60)) min"
    GARAGE="$root_bin/garage"
    [[ -x "$GARAGE" ]] || die "cargo install succeeded but $GARAGE is missing"
}

# garage CLI bound to our config file.
g() {
    "$GARAGE" -c "$GARAGE_CONF" "$@"
}

garage_pid() {
    local pid
    [[ -f "$GARAGE_PIDFILE" ]] || return 1
    pid="$(cat "$GARAGE_PIDFILE")"
    # Alive, and really our server (a recycled pid would run something else).
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$GARAGE_CONF server" || return 1
    echo "$pid"
}

write_garage_conf() {
    mkdir -p "$GARAGE_DIR/meta" "$GARAGE_DIR/data" "$GARAGE_DIR/secrets"
    chmod 700 "$GARAGE_DIR/secrets"
    [[ -f "$GARAGE_TEMPLATE" ]] || die "missing template $GARAGE_TEMPLATE"
    # Secrets are generated once and kept: the node identity and the config
    # stay the same across restarts.
    subst_template "$GARAGE_TEMPLATE" "$GARAGE_CONF" \
        "METADATA_DIR=$GARAGE_DIR/meta" \
        "DATA_DIR=$GARAGE_DIR/data" \
        "RPC_PORT=$RPC_PORT" \
        "S3_PORT=$S3_PORT" \
        "ADMIN_PORT=$ADMIN_PORT" \
        "RPC_SECRET=$(persistent_secret "$GARAGE_DIR/secrets/rpc_secret" 32)" \
        "ADMIN_TOKEN=$(persistent_secret "$GARAGE_DIR/secrets/admin_token" 32)" \
        "METRICS_TOKEN=$(persistent_secret "$GARAGE_DIR/secrets/metrics_token" 32)"
}

garage_start_server() {
    local pid
    if pid="$(garage_pid)"; then
        say "garage: reusing running server (pid $pid)"
        return
    fi
    local p
    for p in "$S3_PORT" "$RPC_PORT" "$ADMIN_PORT"; do
        port_open "$p" && die "port $p is in use by something that is not our Garage (see VANTHU_GARAGE_*_PORT)"
    done
    say "garage: starting server (log: $GARAGE_LOG)"
    # Every S3 request is logged: keep one previous log of at most ~20 MB.
    if [[ -f "$GARAGE_LOG" ]] && (($(stat -c %s "$GARAGE_LOG") > 20000000)); then
        mv -f "$GARAGE_LOG" "$GARAGE_LOG.1"
    fi
    # setsid + nohup: detach from this script's session so the server survives
    # it; stdin/stdout/stderr and the lock fd 9 are not inherited (CI waits on
    # open pipes, and a held lock would block the next start).
    RUST_LOG="${GARAGE_RUST_LOG:-garage=info,netapp=warn}" \
        NO_COLOR=1 setsid nohup "$GARAGE" -c "$GARAGE_CONF" server </dev/null >>"$GARAGE_LOG" 2>&1 9>&- &
    echo $! >"$GARAGE_PIDFILE"
}

# Wait until the server answers admin RPCs (`garage status`) and the S3 port.
garage_wait() {
    for _ in $(seq 1 120); do
        if ! garage_pid >/dev/null; then
            tail -n 30 "$GARAGE_LOG" >&2 || true
            die "garage server exited (log: $GARAGE_LOG)"
        fi
        if g status >/dev/null 2>&1 && port_open "$S3_PORT"; then
            return
        fi
        sleep 0.5
    done
    tail -n 30 "$GARAGE_LOG" >&2 || true
    die "garage did not answer within 60 s (log: $GARAGE_LOG)"
}

# One-time cluster setup: layout, bucket, key, permissions. Every step first
# checks whether it is already done.
garage_setup() {
    local node_id version
    # `node id` prints "<hex id>@<rpc_public_addr>"; -q silences the help text.
    node_id="$(g node id -q 2>/dev/null | head -n1)"
    node_id="${node_id%%@*}"
    [[ "$node_id" =~ ^[0-9a-f]{64}$ ]] || die "garage: could not read node id (got '$node_id')"

    # `layout show` ends its first section with "Current cluster layout version: N".
    version="$(g layout show 2>/dev/null | sed -n 's/^Current cluster layout version: *\([0-9]\+\).*/\1/p' | head -n1)"
    [[ -n "$version" ]] || die "garage: could not read the cluster layout version"
    if [[ "$version" == 0 ]]; then
        say "garage: assigning layout to node ${node_id:0:16}… (zone dc1, 1G)"
        g layout assign -z dc1 -c 1G "$node_id" >/dev/null
        g layout apply --version $((version + 1)) >/dev/null
    fi
    # Wait for the cluster to report healthy (all partitions have a quorum).
    for _ in $(seq 1 60); do
        g health -q >/dev/null 2>&1 && break
        sleep 0.5
    done
    g health -q >/dev/null 2>&1 || die "garage: cluster not healthy after layout apply (log: $GARAGE_LOG)"

    if ! g bucket info "$S3_BUCKET" >/dev/null 2>&1; then
        say "garage: creating bucket $S3_BUCKET"
        g bucket create "$S3_BUCKET" >/dev/null
    fi
    # Key names are not unique in Garage: only create when the lookup by name
    # finds nothing.
    if ! g key info "$S3_KEY_NAME" >/dev/null 2>&1; then
        say "garage: creating key $S3_KEY_NAME"
        g key create "$S3_KEY_NAME" >/dev/null
    fi
    # Granting is idempotent.
    g bucket allow --read --write --owner "$S3_BUCKET" --key "$S3_KEY_NAME" >/dev/null

    # v2: `key info --key-id` / `--secret-key` print just that value.
    S3_ACCESS_KEY_ID="$(g key info --key-id "$S3_KEY_NAME")"
    S3_SECRET_ACCESS_KEY="$(g key info --secret-key "$S3_KEY_NAME")"
    [[ "$S3_ACCESS_KEY_ID" =~ ^GK[0-9a-f]+$ ]] || die "garage: unexpected access key id '$S3_ACCESS_KEY_ID'"
    [[ "$S3_SECRET_ACCESS_KEY" =~ ^[0-9a-f]{64}$ ]] || die "garage: unexpected secret key format"
}

garage_start() {
    find_garage
    say "garage: using $GARAGE ($("$GARAGE" --version 2>/dev/null | head -n1))"
    write_garage_conf
    garage_start_server
    garage_wait
    garage_setup
    say "garage: ready (http://127.0.0.1:$S3_PORT, bucket $S3_BUCKET)"
}

garage_stop() {
    local pid
    if pid="$(garage_pid)"; then
        say "garage: stopping (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "garage: still alive after 20 s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    else
        say "garage: not running"
    fi
    rm -f "$GARAGE_PIDFILE"
}

# ----------------------------------------------------------------------------
# Verification: a real authenticated S3 round trip (PUT, GET, DELETE) signed
# with AWS SigV4, using only Python's standard library.
# ----------------------------------------------------------------------------
s3_check() {
    local code
    code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true)"
    case "$code" in
        400 | 403) ;; # anonymous request refused: the S3 API is up
        *) die "S3 endpoint http://127.0.0.1:$S3_PORT/ answered HTTP '$code' (expected 403)" ;;
    esac
    command -v python3 >/dev/null || { say "s3 check: python3 missing, skipped the signed round trip"; return; }
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    python3 - <<'PY' || die "S3 signed PUT/GET round trip failed"
import datetime, hashlib, hmac, os, sys, urllib.error, urllib.parse, urllib.request

endpoint = os.environ["VANTHU_TEST_S3_ENDPOINT"].rstrip("/")
region = os.environ["VANTHU_TEST_S3_REGION"]
bucket = os.environ["VANTHU_TEST_S3_BUCKET"]
key_id = os.environ["VANTHU_TEST_S3_ACCESS_KEY_ID"]
secret = os.environ["VANTHU_TEST_S3_SECRET_ACCESS_KEY"]
host = urllib.parse.urlsplit(endpoint).netloc

def request(method, key, body=b""):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    path = "/" + bucket + "/" + urllib.parse.quote(key, safe="/-_.~")
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, "",
                           "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
                           signed, payload_hash])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                f"SignedHeaders={signed}, Signature={sig}")
    del headers["host"]
    req = urllib.request.Request(endpoint + path, data=body if method == "PUT" else None,
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

obj = ".vanthu-services-check/" + os.urandom(6).hex()
data = os.urandom(1024)
status, body = request("PUT", obj, data)
if status != 200:
    sys.exit(f"PUT {obj}: HTTP {status}: {body[:300]!r}")
status, body = request("GET", obj)
if status != 200 or body != data:
    sys.exit(f"GET {obj}: HTTP {status}, {len(body)} bytes (content match: {body == data})")
status, body = request("DELETE", obj)
if status not in (200, 204):
    sys.exit(f"DELETE {obj}: HTTP {status}: {body[:300]!r}")
PY
    say "s3 check: signed PUT/GET/DELETE on $S3_BUCKET OK"
}

# ----------------------------------------------------------------------------
# env file
# ----------------------------------------------------------------------------
write_env() {
    (
        umask 077
        cat >"$ENV_FILE.tmp" <<EOF
# Written by scripts/services.sh start — source it: . "$ENV_FILE"
export VANTHU_TEST_POSTGRES_URL='$(pg_url)'
export VANTHU_TEST_S3_ENDPOINT='http://127.0.0.1:$S3_PORT'
export VANTHU_TEST_S3_REGION='$S3_REGION'
export VANTHU_TEST_S3_BUCKET='$S3_BUCKET'
export VANTHU_TEST_S3_ACCESS_KEY_ID='$S3_ACCESS_KEY_ID'
export VANTHU_TEST_S3_SECRET_ACCESS_KEY='$S3_SECRET_ACCESS_KEY'
EOF
        mv -f "$ENV_FILE.tmp" "$ENV_FILE"
    )
}

# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------
case "$CMD" in
    start)
        take_lock
        pg_start
        garage_start
        write_env
        s3_check
        say "all services up; environment: $ENV_FILE"
        ;;
    stop)
        take_lock
        garage_stop
        pg_stop
        ;;
    env)
        [[ -f "$ENV_FILE" ]] || die "no $ENV_FILE yet: run '$0 start' first"
        cat "$ENV_FILE"
        ;;
    status)
        setup_pg_paths
        if pg_running; then echo "postgres: running ($PG_DATA, port $PG_PORT)"; else echo "postgres: stopped"; fi
        if pid="$(garage_pid)"; then echo "garage: running (pid $pid)"; else echo "garage: stopped"; fi
        ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
