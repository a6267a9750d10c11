"""Baselines for `cargo bench --bench verify`: pyHanko and poppler's pdfsig validating the same
two-layer files with the same trust anchors (chain, integrity, modification analysis; no
revocation fetching). Files come from `VANTHU_BENCH_EXPORT_VERIFY=DIR cargo bench --bench verify`.

usage: python3 benches/pyhanko_verify.py DIR [ITERATIONS]
Prints the median and p90 wall time per file, in milliseconds, for each tool. pyHanko runs in
process (interpreter start-up excluded); pdfsig is a process per validation, as a user runs it.
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def pyhanko_once(path, root, issuing):
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(root)],
        other_certs=[load_cert_from_pemder(issuing)],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=True)
        for signature in reader.embedded_signatures:
            status = validate_pdf_signature(signature, context)
            assert status.bottom_line, status.summary()


def timed(run, iterations):
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def main():
    directory = Path(sys.argv[1])
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    root, issuing = directory / "root-ca.pem", directory / "issuing-ca.pem"
    for name in ["text-100KB.pdf", "scan-5MB.pdf"]:
        path = directory / name
        for _ in range(3):
            pyhanko_once(path, root, issuing)
        median, p90 = timed(lambda: pyhanko_once(path, root, issuing), iterations)
        print(f"pyhanko {name}: median {median:.2f} ms, p90 {p90:.2f} ms")
        pdfsig = lambda: subprocess.run(["pdfsig", str(path)], check=False, capture_output=True)
        median, p90 = timed(pdfsig, iterations)
        print(f"pdfsig  {name}: median {median:.2f} ms, p90 {p90:.2f} ms")


if __name__ == "__main__":
    main()
