#!/usr/bin/env bash
# deploy/generate-secrets.sh — create the secret files used by
# deploy/docker-compose.yml, once. Existing files are never overwritten.
#
#   deploy/secrets/db_password         PostgreSQL password of role vanthu   (0644)
#   deploy/secrets/s3_key_id           S3 access key id, GK + 24 hex        (0644)
#   deploy/secrets/s3_secret           S3 secret access key, 64 hex         (0644)
#   deploy/secrets/garage_rpc_secret   Garage rpc_secret, 64 hex            (0600)
#   deploy/secrets/garage_admin_token  Garage admin API token               (0600)
#
# Why these modes: the directory itself is 0700 (only you on the host), Garage
# refuses its secret files unless they are 0600, and the vanthu container runs
# as uid 10001, which must be able to read the three files it uses.
set -euo pipefail

DIR="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets}"
mkdir -p "$DIR"
chmod 700 "$DIR"

rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# make NAME MODE VALUE
make() {
    local file="$DIR/$1"
    if [[ -s "$file" ]]; then
        echo "kept    $file"
    else
        (umask 077 && printf '%s\n' "$3" >"$file")
        echo "created $file"
    fi
    chmod "$2" "$file"
}

make db_password 0644 "$(rand_hex 24)"
make s3_key_id 0644 "GK$(rand_hex 12)"
make s3_secret 0644 "$(rand_hex 32)"
make garage_rpc_secret 0600 "$(rand_hex 32)"
make garage_admin_token 0600 "$(rand_hex 32)"
