"""Times pyHanko signing a PDF in-process: one PAdES signature with a signature time-stamp,
written as an incremental update, with the same seal key and an in-process TSA with the same
TSA key as our own seal step. Only the signing (open + sign + write) is timed, not the start-up
of the interpreter or the loading of keys.

Usage: pyhanko_sign.py <dir with input.pdf, seal.key.pem, seal.cert.pem, root.cert.pem,
tsa.key.pem, tsa.cert.pem> <runs>. Prints one JSON line: {"runs_ms": [...], "out_bytes": n}.
"""
import json
import sys
import time
from io import BytesIO
from pathlib import Path

from asn1crypto import algos, cms, core
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper


class EcdsaDummyTimeStamper(DummyTimeStamper):
    """pyHanko's in-process test TSA signs with RSA only; ours uses ECDSA P-256. Same token
    structure, ECDSA signature, so both sides time-stamp with the same TSA key."""

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
        digest = hashes.Hash(hashes.SHA256())
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(dt)})]}
                ),
                cms.CMSAttribute({"type": "message_digest", "values": [digest.finalize()]}),
            ]
        )
        key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        return key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256())), signed_attrs

    def _build_signed_data(self, tst_info_data, md_algorithm, signature, signed_attrs):
        data = super()._build_signed_data(tst_info_data, md_algorithm, signature, signed_attrs)
        data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa"}
        )
        return data


def main() -> None:
    work = Path(sys.argv[1])
    runs = int(sys.argv[2])
    signer = signers.SimpleSigner.load(
        str(work / "seal.key.pem"),
        str(work / "seal.cert.pem"),
        ca_chain_files=(str(work / "root.cert.pem"),),
    )
    timestamper = EcdsaDummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(work / "tsa.cert.pem")),
        tsa_key=load_private_key_from_pemder(str(work / "tsa.key.pem"), passphrase=None),
    )
    meta = PdfSignatureMetadata(
        field_name="Seal", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    data = (work / "input.pdf").read_bytes()
    times = []
    out = b""
    for _ in range(runs):
        start = time.perf_counter()
        writer = IncrementalPdfFileWriter(BytesIO(data))
        result = PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(writer)
        out = result.getvalue()
        times.append((time.perf_counter() - start) * 1000)
    (work / "pyhanko-signed.pdf").write_bytes(out)
    print(json.dumps({"runs_ms": times, "out_bytes": len(out)}))


if __name__ == "__main__":
    main()
