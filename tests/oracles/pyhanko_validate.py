"""Independent oracle: validate every signature of a PDF with pyHanko and print one JSON
object per signature. Used by the integration tests; not part of the service.

usage: python3 pyhanko_validate.py FILE.pdf ROOT.pem [INTERMEDIATE.pem ...]
Revocation checking is off (the demo PKI publishes no CRL or OCSP yet); trust comes only from
ROOT.pem.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def context(root, intermediates):
    return ValidationContext(
        trust_roots=[load_cert_from_pemder(root)],
        other_certs=[load_cert_from_pemder(p) for p in intermediates],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def main():
    path, root, intermediates = sys.argv[1], sys.argv[2], sys.argv[3:]
    results = []
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=True)
        for signature in reader.embedded_signatures:
            status = validate_pdf_signature(signature, context(root, intermediates))
            level = status.modification_level
            results.append({
                "field": signature.field_name,
                "signer": status.signing_cert.subject.human_friendly,
                "intact": bool(status.intact),
                "valid": bool(status.valid),
                "trusted": bool(status.trusted),
                "coverage": status.coverage.name if status.coverage else None,
                "modification_level": level.name if level is not None else None,
                "docmdp_ok": bool(status.docmdp_ok),
                "bottom_line": bool(status.bottom_line),
                "summary": status.summary(),
            })
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
