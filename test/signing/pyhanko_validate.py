"""Validates every signature of a PDF with pyHanko (an independent PAdES implementation), for the
optional test in pyhanko.test.ts: poppler's pdfsig cannot validate document time-stamps, pyHanko
can. Prints one JSON object per signature.

Usage: pyhanko_validate.py <file.pdf> <trust-anchor.pem>
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext


def main() -> None:
    root = load_cert_from_pemder(sys.argv[2])
    with open(sys.argv[1], "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_signatures:
            context = ValidationContext(trust_roots=[root])
            if sig.sig_object_type == "/DocTimeStamp":
                status = validate_pdf_timestamp(sig, validation_context=context)
                extra = {}
            else:
                status = validate_pdf_signature(sig, signer_validation_context=context)
                extra = {
                    "bottom_line": status.bottom_line,
                    "modification_level": status.modification_level.name,
                    "timestamp_valid": bool(status.timestamp_validity and status.timestamp_validity.valid),
                }
            print(
                json.dumps(
                    {
                        "field": sig.field_name,
                        "type": sig.sig_object_type,
                        "intact": status.intact,
                        "valid": status.valid,
                        "trusted": status.trusted,
                        **extra,
                    }
                )
            )


if __name__ == "__main__":
    main()
