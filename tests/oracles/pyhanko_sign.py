"""Independent signer for the agreement tests: signs a PDF twice with pyHanko (a personal
signature, then an agency signature over the whole file), each in a new visible field with
pyHanko's own text stamp, as another system would. Not part of the service.

usage: python3 pyhanko_sign.py IN.pdf OUT.pdf PERSONAL.p12 ORGANIZATION.p12 PASSPHRASE_FILE
"""
import sys
from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigFieldSpec


def sign(data, p12, passphrase, field, box):
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=passphrase)
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    fields.append_signature_field(writer, SigFieldSpec(sig_field_name=field, on_page=0, box=box))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    out = BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
    return out.getvalue()


def main():
    source, target, personal, organization, passphrase_file = sys.argv[1:6]
    passphrase = open(passphrase_file, "rb").read().strip()
    with open(source, "rb") as handle:
        data = handle.read()
    data = sign(data, personal, passphrase, "ChuKyCaNhan", (340, 120, 500, 184))
    data = sign(data, organization, passphrase, "ChuKyCoQuan", (300, 90, 420, 150))
    with open(target, "wb") as handle:
        handle.write(data)


if __name__ == "__main__":
    main()
