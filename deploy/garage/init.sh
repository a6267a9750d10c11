#!/usr/bin/env bash
# deploy/garage/init.sh — one-shot, idempotent setup of a single-node Garage v2
# cluster for vanthu: layout, bucket, access key, permissions.
#
# Used by the `garage-init` service of deploy/docker-compose.yml (image built
# from deploy/garage/Dockerfile.init), but works anywhere the `garage` CLI can
# reach the node:
#   GARAGE_CONFIG_FILE  config of the node (the CLI reads rpc_secret(_file),
#                       rpc_public_addr and the node key in metadata_dir from it)
#   VANTHU_BUCKET       bucket to create               (default vanthu)
#   GARAGE_ZONE         zone of the node in the layout  (default dc1)
#   GARAGE_CAPACITY     capacity of the node            (default 100G)
#   S3_KEY_ID_FILE      file with the access key id to import     (default /run/secrets/s3_key_id)
#   S3_SECRET_FILE      file with the secret access key to import (default /run/secrets/s3_secret)
#   S3_KEY_NAME         name given to the key in Garage (default vanthu)
#
# The key is IMPORTED (`garage key import`) rather than created, so that the
# operator-generated secret files are the single source of truth: vanthu reads
# the very same files (VANTHU_STORAGE__S3__*_FILE).
set -euo pipefail

export GARAGE_CONFIG_FILE="${GARAGE_CONFIG_FILE:-/etc/garage.toml}"
BUCKET="${VANTHU_BUCKET:-vanthu}"
ZONE="${GARAGE_ZONE:-dc1}"
CAPACITY="${GARAGE_CAPACITY:-100G}"
KEY_ID_FILE="${S3_KEY_ID_FILE:-/run/secrets/s3_key_id}"
SECRET_FILE="${S3_SECRET_FILE:-/run/secrets/s3_secret}"
KEY_NAME="${S3_KEY_NAME:-vanthu}"
GARAGE="${GARAGE:-garage}"

say() { printf '[garage-init] %s\n' "$*" >&2; }
die() { printf '[garage-init] ERROR: %s\n' "$*" >&2; exit 1; }

# Wait for the node to answer (compose also waits for its healthcheck).
for _ in $(seq 1 60); do
    "$GARAGE" status >/dev/null 2>&1 && break
    sleep 1
done
"$GARAGE" status >/dev/null || die "garage node does not answer"

# 1. Layout: give this node a role, once. `node id -q` prints "<id>@<addr>".
node_id="$("$GARAGE" node id -q | head -n1)"
node_id="${node_id%%@*}"
version="$("$GARAGE" layout show | sed -n 's/^Current cluster layout version: *\([0-9]\+\).*/\1/p' | head -n1)"
[[ -n "$version" ]] || die "could not read the cluster layout version"
if [[ "$version" == 0 ]]; then
    say "assigning node ${node_id:0:16} to zone $ZONE with capacity $CAPACITY"
    "$GARAGE" layout assign -z "$ZONE" -c "$CAPACITY" "$node_id"
    "$GARAGE" layout apply --version $((version + 1))
else
    say "layout already at version $version"
fi

for _ in $(seq 1 60); do
    "$GARAGE" health -q >/dev/null 2>&1 && break
    sleep 1
done
"$GARAGE" health || die "cluster is not healthy"

# 2. Bucket.
if "$GARAGE" bucket info "$BUCKET" >/dev/null 2>&1; then
    say "bucket $BUCKET exists"
else
    "$GARAGE" bucket create "$BUCKET"
fi

# 3. Access key, imported from the secret files.
key_id="$(tr -d '[:space:]' <"$KEY_ID_FILE")"
secret="$(tr -d '[:space:]' <"$SECRET_FILE")"
[[ -n "$key_id" && -n "$secret" ]] || die "empty $KEY_ID_FILE or $SECRET_FILE"
if "$GARAGE" key info "$key_id" >/dev/null 2>&1; then
    say "key $key_id exists"
else
    "$GARAGE" key import --yes -n "$KEY_NAME" "$key_id" "$secret" >/dev/null
    say "imported key $key_id"
fi

# 4. Permissions (idempotent).
"$GARAGE" bucket allow --read --write --owner "$BUCKET" --key "$key_id"
say "done: bucket $BUCKET, key $key_id (read, write, owner)"
