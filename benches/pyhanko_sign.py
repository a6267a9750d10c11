#!/usr/bin/env python3
"""Baseline for benches/signing.rs: the same two layers made with pyHanko.

Same inputs, same keys (the PKCS#12 files of `vanthu init --json --data-dir DIR`, passphrase in
DIR/pki/passphrase), same PNGs (exported by the vanthu bench, see benches/README.md), same font
for the layer-2 text (Liberation Serif, subset-embedded), same placements as vanthu chose.

Layer 1: PAdES (ETSI.CAdES.detached, SHA-256) signature in a new visible field `Sig1_CaNhan`
whose appearance is the blue signature PNG, plus the empty signature field `Sig2_CoQuan`
created in the same incremental revision.
Layer 2: PAdES signature in the existing `Sig2_CoQuan`, appearance = red seal PNG with the
number and date written over it in the embedded font (pyHanko has no API to fill vanthu's
text fields; the text goes into the stamp instead: same work, an image plus a font subset).
Both with pyHanko's IncrementalPdfFileWriter, in memory.

Needs pyHanko with its image-support and opentype extras (Pillow, fontTools, uharfbuzz).

  bench: warm-up, then N iterations of layer 1, layer 2 (on one fixed layer-1 output) and
         the whole document; prints median and p90 in ms (and JSON with --json).
  once:  one signing of one layer in a fresh process, for `/usr/bin/time -v`.
"""

import argparse
import io
import json
import logging
import statistics
import sys
import time
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.stamp import StaticStampStyle, TextStampStyle

# fontTools reports every table it cannot subset (e.g. FFTM) on each signing.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
ISSUE_TEXT = "Số: 05/QĐ-UBND\nngày 05 tháng 01 năm 2027"


def rect(raw):
    values = tuple(float(v) for v in raw.split(","))
    if len(values) != 4:
        raise argparse.ArgumentTypeError("expected x1,y1,x2,y2")
    return values


class Baseline:
    def __init__(self, args):
        passphrase = Path(args.passphrase_file).read_text().rstrip("\r\n").encode()
        self.personal = signers.SimpleSigner.load_pkcs12(args.personal, passphrase=passphrase)
        self.organization = signers.SimpleSigner.load_pkcs12(
            args.organization, passphrase=passphrase
        )
        if self.personal is None or self.organization is None:
            sys.exit("cannot load the PKCS#12 files")
        self.signature_png = Path(args.signature_png).read_bytes()
        self.seal_png = Path(args.seal_png).read_bytes()
        self.font = GlyphAccumulatorFactory(args.font)
        self.page = args.page - 1
        self.signature_rect = args.signature_rect
        self.seal_rect = args.seal_rect

    def layer_one(self, data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        fields.append_signature_field(
            writer, SigFieldSpec("Sig2_CoQuan", on_page=self.page, box=self.seal_rect)
        )
        # The PNG is decoded and re-encoded every time, as vanthu does.
        image = PdfImage(Image.open(io.BytesIO(self.signature_png)))
        signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name="Sig1_CaNhan",
                subfilter=SigSeedSubFilter.PADES,
                md_algorithm="sha256",
                reason="Ký duyệt văn bản",
            ),
            signer=self.personal,
            stamp_style=StaticStampStyle(
                background=image, border_width=0, background_opacity=1.0
            ),
            new_field_spec=SigFieldSpec(
                "Sig1_CaNhan", on_page=self.page, box=self.signature_rect
            ),
        )
        return signer.sign_pdf(writer).getvalue()

    def layer_two(self, data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        image = PdfImage(Image.open(io.BytesIO(self.seal_png)))
        style = TextStampStyle(
            stamp_text=ISSUE_TEXT,
            text_box_style=TextBoxStyle(font=self.font, font_size=11),
            background=image,
            background_opacity=1.0,
            border_width=0,
        )
        signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name="Sig2_CoQuan",
                subfilter=SigSeedSubFilter.PADES,
                md_algorithm="sha256",
                reason="Phát hành văn bản số 05/QĐ-UBND ngày 05/01/2027",
                location="Bình An",
            ),
            signer=self.organization,
            stamp_style=style,
        )
        return signer.sign_pdf(writer, existing_fields_only=True).getvalue()

    def document(self, data: bytes) -> bytes:
        return self.layer_two(self.layer_one(data))


def measure(function, argument, warmup: int, iterations: int):
    for _ in range(warmup):
        function(argument)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        function(argument)
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return {
        "iterations": iterations,
        "median_ms": statistics.median(samples),
        "p90_ms": statistics.quantiles(samples, n=10, method="inclusive")[8],
        "min_ms": samples[0],
        "max_ms": samples[-1],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--personal", required=True, help="PKCS#12 of the signer (layer 1)")
    parser.add_argument("--organization", required=True, help="PKCS#12 of the agency (layer 2)")
    parser.add_argument("--passphrase-file", required=True)
    parser.add_argument("--signature-png", required=True)
    parser.add_argument("--seal-png", required=True)
    parser.add_argument("--font", default=FONT)
    parser.add_argument("--page", type=int, required=True, help="1-based page of both fields")
    parser.add_argument("--signature-rect", type=rect, required=True, help="x1,y1,x2,y2")
    parser.add_argument("--seal-rect", type=rect, required=True, help="x1,y1,x2,y2")
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser("bench")
    bench.add_argument("input")
    bench.add_argument("--label", default=None)
    bench.add_argument("--warmup", type=int, default=5)
    bench.add_argument("--iterations", type=int, default=50)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--write-output", default=None, help="also write one signed document here")
    once = sub.add_parser("once")
    once.add_argument("input")
    once.add_argument("output")
    once.add_argument("--layer", choices=["1", "2", "both"], default="both")
    args = parser.parse_args()

    baseline = Baseline(args)
    data = Path(args.input).read_bytes()
    if args.command == "once":
        function = {"1": baseline.layer_one, "2": baseline.layer_two, "both": baseline.document}[args.layer]
        signed = function(data)
        Path(args.output).write_bytes(signed)
        print(f"wrote {args.output} ({len(signed)} bytes)")
        return

    layer1 = baseline.layer_one(data)
    if args.write_output:
        Path(args.write_output).write_bytes(baseline.layer_two(layer1))
    results = {
        "label": args.label or Path(args.input).name,
        "input_bytes": len(data),
        "layer1": measure(baseline.layer_one, data, args.warmup, args.iterations),
        "layer2": measure(baseline.layer_two, layer1, args.warmup, args.iterations),
        "document": measure(baseline.document, data, args.warmup, args.iterations),
    }
    if args.json:
        print(json.dumps(results))
    else:
        for name in ("layer1", "layer2", "document"):
            r = results[name]
            print(
                f"pyhanko {name}/{results['label']}: median {r['median_ms']:.2f} ms, "
                f"p90 {r['p90_ms']:.2f} ms ({r['iterations']} iterations)"
            )


if __name__ == "__main__":
    main()
