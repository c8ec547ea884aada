"""A made-up issuing state's passport PKI for the chip emulator, the demo and tests: a
country signing CA (CSCA), a document signer certificate it issued, and EF.SOD signed by
that signer. Every key is generated in memory when asked for; none is a real state's.

`rogue_signer` makes the forger's signer: a CSCA of its own under the same name as the
real one, so only the certificate's signature, not its names, tells them apart.
`expired_signer` and `signer_without_signing_usage` are issued by the real CSCA, one
whose certificate's validity has ended, one whose key usage does not allow signatures.
`make_pki` takes the CSCA's and the signer's validity periods, and `revocation_list`
makes a CSCA's CRL: for the back office's validity and revocation checks.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..icao import sod


@dataclass(frozen=True)
class DocumentSigner:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class PassportPki:
    csca_key: ec.EllipticCurvePrivateKey
    csca: x509.Certificate
    signer: DocumentSigner

    def csca_pem(self) -> bytes:
        """The CSCA certificate as a trust list holds it."""
        return self.csca.public_bytes(serialization.Encoding.PEM)


def _name(country: str, common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country[:2]),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: x509.Name, key, issuer: x509.Name, issuer_key, ca: bool,
                 valid: tuple[dt.datetime, dt.datetime] | None = None, signs: bool = True) -> x509.Certificate:
    """`valid` is (from, until), by default yesterday to ten years ahead; `signs=False`
    gives a signer's certificate key usage for encipherment only."""
    now = dt.datetime.now(dt.timezone.utc)
    start, end = valid or (now - dt.timedelta(days=1), now + dt.timedelta(days=3650))
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True))
    usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                           "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
    usage.update({"key_cert_sign": ca, "crl_sign": ca, "digital_signature": not ca and signs,
                  "key_encipherment": not ca and not signs})
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(country: str = "UTO", csca_valid: tuple[dt.datetime, dt.datetime] | None = None,
             signer_valid: tuple[dt.datetime, dt.datetime] | None = None, name: str = "") -> PassportPki:
    """`csca_valid` and `signer_valid` are (from, until), by default yesterday to ten years
    ahead; `name` sets the CSCA's common name apart from another test CSCA's."""
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca_name = _name(country, name or f"CSCA {country} (test)")
    csca = _certificate(csca_name, csca_key, csca_name, csca_key, ca=True, valid=csca_valid)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(_name(country, f"Document Signer {country} (test)"), signer_key, csca_name, csca_key,
                               ca=False, valid=signer_valid)
    return PassportPki(csca_key, csca, DocumentSigner(signer_key, certificate))


def revocation_list(pki: PassportPki, revoked: tuple[int, ...] = (), this_update: dt.datetime | None = None,
                    next_update: dt.datetime | None = None, signed_by=None) -> x509.CertificateRevocationList:
    """The CSCA's CRL listing these serials, issued an hour ago and due again in 30 days
    unless told; `signed_by` another key under the CSCA's name makes a forged one."""
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(pki.csca.subject)
               .last_update(this_update or now - dt.timedelta(hours=1))
               .next_update(next_update or now + dt.timedelta(days=30)))
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - dt.timedelta(hours=1))
            .build())
    return builder.sign(signed_by or pki.csca_key, hashes.SHA256())


TRUST_DIR = "trust"  # under demo_pki's directory: the CSCA certificate alone, for a back office
CRL_DIR = "crls"  # beside it: the CSCAs' revocation lists (none for the demo's)


def demo_pki(directory: Path) -> PassportPki:
    """The demo's PKI, made the first time in `directory` and read back after: the CSCA
    certificate in TRUST_DIR for the back office to trust, the keys beside it for the
    emulator. A demo and test stand-in only (the keys are files without protection)."""
    directory = Path(directory)
    (directory / CRL_DIR).mkdir(parents=True, exist_ok=True)
    files = {name: directory / name for name in ("csca.pem", "csca-key.pem", "signer.pem", "signer-key.pem")}
    if not all(f.exists() for f in files.values()):
        pki = make_pki()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / TRUST_DIR).mkdir(exist_ok=True)
        (directory / TRUST_DIR / "csca.pem").write_bytes(pki.csca_pem())
        files["csca.pem"].write_bytes(pki.csca_pem())
        files["signer.pem"].write_bytes(pki.signer.certificate.public_bytes(serialization.Encoding.PEM))
        for name, key in (("csca-key.pem", pki.csca_key), ("signer-key.pem", pki.signer.key)):
            files[name].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
        return pki
    csca_key = serialization.load_pem_private_key(files["csca-key.pem"].read_bytes(), None)
    signer_key = serialization.load_pem_private_key(files["signer-key.pem"].read_bytes(), None)
    assert isinstance(csca_key, ec.EllipticCurvePrivateKey) and isinstance(signer_key, ec.EllipticCurvePrivateKey)
    return PassportPki(csca_key, x509.load_pem_x509_certificate(files["csca.pem"].read_bytes()),
                       DocumentSigner(signer_key, x509.load_pem_x509_certificate(files["signer.pem"].read_bytes())))


def rogue_signer(pki: PassportPki) -> DocumentSigner:
    """A signer whose certificate names the real CSCA as issuer but was signed by another key."""
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    return DocumentSigner(key, _certificate(pki.signer.certificate.subject, key, pki.csca.subject, rogue_key, ca=False))


def expired_signer(pki: PassportPki) -> DocumentSigner:
    """A signer the real CSCA issued, its certificate valid for a year that ended yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    valid = (now - dt.timedelta(days=366), now - dt.timedelta(days=1))
    return DocumentSigner(key, _certificate(pki.signer.certificate.subject, key, pki.csca.subject, pki.csca_key,
                                            ca=False, valid=valid))


def issued_signer(pki: PassportPki, valid: tuple[dt.datetime, dt.datetime]) -> DocumentSigner:
    """A signer the real CSCA issued, its certificate valid from and until the given times."""
    key = ec.generate_private_key(ec.SECP256R1())
    return DocumentSigner(key, _certificate(pki.signer.certificate.subject, key, pki.csca.subject, pki.csca_key,
                                            ca=False, valid=valid))


def signer_without_signing_usage(pki: PassportPki) -> DocumentSigner:
    """A signer the real CSCA issued for key encipherment, not for digital signatures."""
    key = ec.generate_private_key(ec.SECP256R1())
    return DocumentSigner(key, _certificate(pki.signer.certificate.subject, key, pki.csca.subject, pki.csca_key,
                                            ca=False, signs=False))


def signed_sod(data_groups: dict[int, bytes], signer: DocumentSigner) -> bytes:
    """EF.SOD over the given data groups (number -> file), SHA-256, signed by `signer`."""
    security_object = sod.LdsSecurityObject({
        "version": 0,
        "hash_algorithm": {"algorithm": "sha256"},
        "data_group_hash_values": [{"data_group_number": number, "data_group_hash_value": hashlib.sha256(f).digest()}
                                   for number, f in sorted(data_groups.items())],
    }).dump()
    signed_attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": [sod.LDS_SECURITY_OBJECT]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(security_object).digest()]}),
    ])
    # RFC 5652 5.4: the signature covers the attributes' DER as a SET, which dump() gives.
    signature = signer.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
    certificate = asn1_x509.Certificate.load(signer.certificate.public_bytes(serialization.Encoding.DER))
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": certificate.issuer, "serial_number": certificate.serial_number})}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": signed_attrs,
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature": signature,
    })
    signed_data = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": sod.LDS_SECURITY_OBJECT, "content": security_object},
        "certificates": [certificate],
        "signer_infos": [signer_info],
    })
    return sod.wrap(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}))
