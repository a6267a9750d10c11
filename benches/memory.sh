#!/usr/bin/env bash
# Peak memory (maximum resident set size, from `/usr/bin/time -v`) of one signing per process:
# `vanthu pdf sign-personal` / `sign-agency` (release build) and the pyHanko baseline
# (benches/pyhanko_sign.py once --layer 1 / 2), on a ~100 KB, a ~5 MB and a ~50 MB file.
# The 50 MB file is made here (ten copies of the scan joined by qpdf), never committed.
#
#   bash benches/memory.sh            # work files in a new temporary directory
#   WORK=/tmp/m bash benches/memory.sh
#
# Needs: cargo, qpdf, /usr/bin/time (apt-get install -y time), python3 with pyHanko; Pillow,
# fontTools and uharfbuzz (pyHanko's image-support and opentype extras) are installed into a
# venv under $WORK when the python given by $PYTHON lacks them.
# Target (issue): peak under 3x the file size at 50 MB.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vanthu/target}
work=${WORK:-$(mktemp -d -t vanthu-memory.XXXXXX)}
mkdir -p "$work"
python=${PYTHON:-python3}

[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
command -v qpdf >/dev/null || { echo "qpdf missing: apt-get install -y qpdf" >&2; exit 1; }

echo "== building (release) in $root" >&2
(cd "$root" && cargo build --release --bin vanthu >&2)
# A copy, so that a concurrent build in the shared target dir cannot swap the binary.
cp "$CARGO_TARGET_DIR/release/vanthu" "$work/vanthu"
(cd "$root" && VANTHU_BENCH_EXPORT_IMAGES="$work/images" cargo bench --bench signing >&2)

if ! "$python" -c 'import pyhanko.sign, PIL, fontTools, uharfbuzz' 2>/dev/null; then
    echo "== venv with pyHanko's image-support and opentype extras in $work/venv" >&2
    "$python" -m venv --system-site-packages "$work/venv"
    "$work/venv/bin/pip" install -q "pillow==13.0.0" "fonttools==4.68.0" "uharfbuzz==0.57.0" >&2
    python="$work/venv/bin/python"
fi

data="$work/data"
if [ ! -f "$data/pki/passphrase" ]; then
    "$work/vanthu" init --json --data-dir "$data" >"$work/init.json"
fi
pki="$data/pki"

# Inputs: name|path|page|vanthu --signature-area|pyHanko signature rect|pyHanko seal rect
# (the pyHanko rects are the ones vanthu chose for the same file).
scan="$root/tests/fixtures/pdf/van-ban-scan.pdf"
copies=()
for i in $(seq 1 10); do
    cp "$scan" "$work/scan-$i.pdf"
    copies+=("$work/scan-$i.pdf")
done
# qpdf shares the objects of a file named twice, so each copy has its own path.
qpdf --empty --pages "${copies[@]}" -- "$work/scan-x10.pdf"
inputs=(
    "text-100KB|$root/benches/inputs/ke-hoach-thong-bao.pdf|3||362.2,166.7,502.6,222.9|295.6,138.1,409.0,251.5"
    "scan-5MB|$scan|2|330,150,520,230|330,152,520,228|279.9,133.3,393.3,246.7"
    "scan-50MB|$work/scan-x10.pdf|20|330,150,520,230|330,152,520,228|279.9,133.3,393.3,246.7"
)

# Runs the command under /usr/bin/time -v; prints "max_rss_kib wall_seconds".
measure() {
    local log="$work/time.log"
    if ! /usr/bin/time -v -o "$log" "$@" >"$work/command.log" 2>&1; then
        echo "failed: $*" >&2
        cat "$work/command.log" "$log" >&2
        return 1
    fi
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    echo "$rss $wall"
}

row() { # tool layer name input_bytes rss_kib wall
    awk -v tool="$1" -v layer="$2" -v name="$3" -v size="$4" -v rss="$5" -v wall="$6" 'BEGIN {
        printf "| %s | %s | %s | %.2f | %.1f | %.2f | %s |\n", name, tool, layer, size / 1e6, rss * 1024 / 1e6, rss * 1024 / size, wall }'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
{
    echo "| input | tool | layer | input MB | max RSS MB | RSS / input | wall (m:ss) |"
    echo "|---|---|---|---|---|---|---|"
    for spec in "${inputs[@]}"; do
        IFS='|' read -r name path page area sig_rect seal_rect <<<"$spec"
        keys=(--pkcs12 "$pki/signer-chutich.p12" --passphrase-file "$pki/passphrase")
        personal=("$work/vanthu" pdf sign-personal --input "$path" --output "$work/$name.vanthu-l1.pdf" "${keys[@]}"
            --signature-image "$work/images/signature.png")
        if [ -n "$area" ]; then personal+=(--signature-area "$area" --page "$page"); fi
        out=$(measure "${personal[@]}")
        read -r rss wall <<<"$out"
        row vanthu 1 "$name" "$(stat -c %s "$path")" "$rss" "$wall"
        out=$(measure "$work/vanthu" pdf sign-agency --input "$work/$name.vanthu-l1.pdf" \
            --output "$work/$name.vanthu-l2.pdf" --pkcs12 "$pki/organization.p12" --passphrase-file "$pki/passphrase" \
            --number 5/QĐ-UBND --date 2027-01-05 --seal-image "$work/images/seal.png" --location "Bình An")
        read -r rss wall <<<"$out"
        row vanthu 2 "$name" "$(stat -c %s "$work/$name.vanthu-l1.pdf")" "$rss" "$wall"

        py=("$python" "$root/benches/pyhanko_sign.py" --personal "$pki/signer-chutich.p12"
            --organization "$pki/organization.p12" --passphrase-file "$pki/passphrase"
            --signature-png "$work/images/signature.png" --seal-png "$work/images/seal.png"
            --page "$page" --signature-rect "$sig_rect" --seal-rect "$seal_rect")
        out=$(measure "${py[@]}" once --layer 1 "$path" "$work/$name.pyhanko-l1.pdf")
        read -r rss wall <<<"$out"
        row pyHanko 1 "$name" "$(stat -c %s "$path")" "$rss" "$wall"
        out=$(measure "${py[@]}" once --layer 2 "$work/$name.pyhanko-l1.pdf" "$work/$name.pyhanko-l2.pdf")
        read -r rss wall <<<"$out"
        row pyHanko 2 "$name" "$(stat -c %s "$work/$name.pyhanko-l1.pdf")" "$rss" "$wall"
    done
} | tee "$work/memory.md"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "work files: $work" >&2
