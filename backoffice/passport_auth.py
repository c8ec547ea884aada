"""Verifying an ePassport's chip (ICAO 9303 Part 11) from the bytes a kiosk read, so the
back office itself, not the kiosk, decides whether the chip is genuine and present:

- passive authentication: EF.SOD's CMS signature checks out with the document signer
  certificate inside it, that certificate was issued by a CSCA on the trust list the back
  office holds while that CSCA's certificate was valid, is within its own validity period
  at the time of verification, is not revoked by a CRL its CSCA signed, its key usage
  allows digital signatures, and every data group sent hashes to its value in the SOD;
- Active Authentication: DG15's public key (its hash in the SOD) verifies the chip's
  signature over a challenge the back office chose. An EC key with plain ECDSA (r||s,
  BSI TR-03111) over the challenge, hashed by the key's size; an RSA key (1024 bits or
  more) with ISO/IEC 9796-2 scheme 1, as iso9796.py verifies it. Other keys are refused
  as unsupported.

No HTTP here: a failed check raises PassportRefused naming it, never personal data.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from devices.idcard.icao import lds, sod
from devices.idcard.icao.tlv import TlvError, find

from . import iso9796

log = logging.getLogger("backoffice.passport")

EVIDENCE = "epassport_pa_aa"
# What a CRL past its nextUpdate does (BACKOFFICE_CSCA_CRL_STALE): refuse, or accept with a warning.
STALE_REFUSE, STALE_WARN = "refuse", "warn"
CRL_SUFFIXES = (".crl", ".pem", ".der")
HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
          "sha512": hashes.SHA512}


class PassportRefused(Exception):
    """A check failed. `check` is the problem code; `malformed`: the input was not even
    the structure it claims to be (422), otherwise the chip failed a check (403)."""

    def __init__(self, check: str, detail: str, malformed: bool = False, **extra):
        super().__init__(detail)
        self.check, self.detail, self.malformed, self.extra = check, detail, malformed, extra


@dataclass(frozen=True)
class VerifiedChip:
    document_number: str
    data_groups: tuple[str, ...]  # those checked against the SOD


def load_trust_list(location: str | Path) -> list[x509.Certificate]:
    """The CSCA certificates in a PEM file, or in every .pem/.crt/.cer/.der file of a directory."""
    path = Path(location)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer", ".der")) \
        if path.is_dir() else [path]
    certificates: list[x509.Certificate] = []
    for file in files:
        data = file.read_bytes()
        certificates += (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                         else [x509.load_der_x509_certificate(data)])
    return certificates


def load_crls(location: str | Path) -> list[x509.CertificateRevocationList]:
    """The CRLs (PEM or DER) in a file, or in every .crl/.pem/.der file of a directory: the
    CSCAs' own, as the ICAO PKD and the issuing states publish them. Which CSCA signed
    each is decided when a chip is checked, by the signature, never by the file's name."""
    path = Path(location)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in CRL_SUFFIXES) if path.is_dir() else [path]
    crls: list[x509.CertificateRevocationList] = []
    for file in files:
        data = file.read_bytes()
        if b"-----BEGIN" in data:
            blocks = data.split(b"-----END X509 CRL-----")
            crls += [x509.load_pem_x509_crl(block + b"-----END X509 CRL-----") for block in blocks
                     if b"-----BEGIN X509 CRL-----" in block]
        else:
            crls.append(x509.load_der_x509_crl(data))
    return crls


def verify_chip(ef_sod: bytes, dg1: bytes, dg15: bytes | None, aa_signature: bytes | None, challenge: bytes,
                trust_list: list[x509.Certificate], dg2: bytes | None = None,
                now: dt.datetime | None = None, crls: list[x509.CertificateRevocationList] | None = None,
                stale_crl: str = STALE_REFUSE) -> VerifiedChip:
    """Passive authentication of DG1 (DG2 too when sent) and DG15, then Active
    Authentication over `challenge`; `now` (UTC, by default the clock's) is the time the
    document signer's certificate must be valid at; `crls` the CSCAs' revocation lists,
    `stale_crl` what one past its nextUpdate does. Raises PassportRefused."""
    verified = verify_passive(ef_sod, dg1, dg15, trust_list, dg2, now, crls, stale_crl)
    verify_active(dg15, challenge, aa_signature)
    return verified


def verify_passive(ef_sod: bytes, dg1: bytes, dg15: bytes | None, trust_list: list[x509.Certificate],
                   dg2: bytes | None = None, now: dt.datetime | None = None,
                   crls: list[x509.CertificateRevocationList] | None = None,
                   stale_crl: str = STALE_REFUSE) -> VerifiedChip:
    """Passive authentication alone: the data groups sent are the issuing state's, signed.
    Not that the chip is here (a copy of its files passes too): verify_active proves that,
    a face matched to the proven DG2 proves its holder is (presence_face.py)."""
    security_object = passive_authentication(ef_sod, trust_list, now, crls or [], stale_crl)
    groups = {"DG1": dg1, **({"DG2": dg2} if dg2 is not None else {}), **({"DG15": dg15} if dg15 else {})}
    check_hashes(security_object, groups)
    try:
        number = lds.parse_dg1(dg1).document_number
    except lds.LdsError as exc:
        raise PassportRefused("dg1_malformed", str(exc), malformed=True) from None
    return VerifiedChip(number, tuple(groups))


def verify_active(dg15: bytes | None, challenge: bytes, aa_signature: bytes | None) -> None:
    """Active Authentication over the back office's challenge, or PassportRefused."""
    if not dg15 or not aa_signature:
        raise PassportRefused("aa_unavailable", "the chip did not prove it is here: no Active Authentication")
    active_authentication(dg15, challenge, aa_signature)


def passive_authentication(ef_sod: bytes, trust_list: list[x509.Certificate],
                           now: dt.datetime | None = None, crls: list[x509.CertificateRevocationList] | None = None,
                           stale_crl: str = STALE_REFUSE) -> sod.LdsSecurityObject:
    """The LDS Security Object, once its signer and signature are checked."""
    try:
        signed_data = sod.unwrap(ef_sod)["content"]
        content_type = signed_data["encap_content_info"]["content_type"].dotted
        content = signed_data["encap_content_info"]["content"].native
        signer_infos = signed_data["signer_infos"]
        certificates = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
        if content_type != sod.LDS_SECURITY_OBJECT or not isinstance(content, bytes) or len(signer_infos) != 1:
            raise ValueError("not one signature over an LDS Security Object")
        signer_info = signer_infos[0]
        security_object = sod.LdsSecurityObject.load(content, strict=True)
        security_object.native  # parses every member now, so a bad one is malformed here
    except (ValueError, TypeError, KeyError) as exc:
        raise PassportRefused("sod_malformed", f"EF.SOD does not parse: {exc}", malformed=True) from None
    try:
        when = _utc(now or dt.datetime.now(dt.timezone.utc))
        signer = _document_signer(signer_info, certificates)
        csca = _check_signer(signer, trust_list)
        _check_signer_usable(signer, when)
        _check_issued_within(signer, csca)
        _check_revocation(signer, csca, crls or [], when, stale_crl)
        _check_signature(signer, signer_info, content)
    except (ValueError, TypeError, KeyError, x509.InvalidVersion) as exc:  # members are parsed when first read
        raise PassportRefused("sod_malformed", f"EF.SOD does not parse: {exc}", malformed=True) from None
    return security_object


def check_hashes(security_object: sod.LdsSecurityObject, groups: dict[str, bytes]) -> None:
    algorithm = security_object["hash_algorithm"]["algorithm"].native
    if algorithm not in HASHES:
        raise PassportRefused("sod_malformed", f"unsupported hash algorithm {algorithm}", malformed=True)
    listed = {h["data_group_number"].native: h["data_group_hash_value"].native
              for h in security_object["data_group_hash_values"]}
    for name, content in groups.items():
        expected = listed.get(sod.DG_NUMBERS[name])
        if expected is None:
            raise PassportRefused("pa_hash_missing", f"the SOD holds no hash of {name}", data_group=name)
        if hashlib.new(algorithm, content).digest() != expected:
            raise PassportRefused("pa_hash_mismatch", f"{name} does not match its hash in the SOD", data_group=name)


def active_authentication(dg15: bytes, challenge: bytes, signature: bytes) -> None:
    try:
        key = serialization.load_der_public_key(find(dg15, 0x6F) or b"")
    except (TlvError, ValueError, UnsupportedAlgorithm):
        raise PassportRefused("dg15_malformed", "DG15 holds no public key", malformed=True) from None
    if isinstance(key, ec.EllipticCurvePublicKey):
        _ecdsa_active_authentication(key, challenge, signature)
    elif isinstance(key, rsa.RSAPublicKey):
        _rsa_active_authentication(key, challenge, signature)
    else:
        raise PassportRefused("aa_unsupported", "only EC and RSA Active Authentication keys are accepted",
                              malformed=True)


def _ecdsa_active_authentication(key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes) -> None:
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        raise _aa_signature_invalid()
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    digest = hashes.SHA256() if key.curve.key_size <= 256 else hashes.SHA384() if key.curve.key_size <= 384 \
        else hashes.SHA512()
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(digest))
    except InvalidSignature:
        raise _aa_signature_invalid() from None


def _rsa_active_authentication(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> None:
    numbers = key.public_numbers()
    try:
        iso9796.check_key(numbers.n, numbers.e)
    except iso9796.KeyUnsupported as exc:
        raise PassportRefused("aa_unsupported", str(exc), malformed=True) from None
    try:
        iso9796.verify(numbers.n, numbers.e, signature, challenge)
    except iso9796.SignatureInvalid:
        raise _aa_signature_invalid() from None


def _aa_signature_invalid() -> PassportRefused:
    return PassportRefused("aa_signature_invalid", "the chip's signature over the challenge does not verify")


def _document_signer(signer_info: cms.SignerInfo, certificates: list) -> x509.Certificate:
    sid = signer_info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            found = (certificate.issuer == wanted["issuer"]
                     and certificate.serial_number == wanted["serial_number"].native)
        else:
            found = certificate.key_identifier == sid.chosen.native
        if found:
            return x509.load_der_x509_certificate(certificate.dump())
    raise PassportRefused("pa_signer_missing", "EF.SOD does not carry its document signer's certificate")


def _check_signer(signer: x509.Certificate, trust_list: list[x509.Certificate]) -> x509.Certificate:
    """The CSCA on the trust list that issued it: a name alone proves nothing, the signature must."""
    for csca in trust_list:
        try:
            signer.verify_directly_issued_by(csca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return csca
    raise PassportRefused("pa_signer_untrusted", "the document signer was not issued by a trusted CSCA")


def _check_signer_usable(signer: x509.Certificate, now: dt.datetime) -> None:
    """Within its validity period and meant for signing. ICAO 9303 Part 12 has a document
    signer's certificate outlive its key by the passports' lifetime, so an expired one
    signed passports that have expired too."""
    if now < signer.not_valid_before_utc:
        raise PassportRefused("pa_signer_not_yet_valid", "the document signer's certificate is not valid yet")
    if now > signer.not_valid_after_utc:
        raise PassportRefused("pa_signer_expired", "the document signer's certificate has expired")
    try:
        usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        # Part 12 makes key usage mandatory for a document signer: without it nothing says it may sign.
        raise PassportRefused("pa_signer_usage", "the document signer's certificate states no key usage") from None
    if not usage.digital_signature:
        raise PassportRefused("pa_signer_usage", "the document signer's key is not for digital signatures")


def _check_issued_within(signer: x509.Certificate, csca: x509.Certificate) -> None:
    """The chain model for the CSCA -> document signer link: the signer's certificate must
    have been issued (its notBefore) while the CSCA's certificate was valid; the CSCA need
    not be valid now. ICAO 9303 Part 12 validates this link so: a CSCA's certificate may
    end before the passports its signers signed (a CSCA key is used for 3 to 5 years, the
    passports live 10 more), and those passports stay genuine. The shell model (every
    certificate valid now) would refuse them; whether a certificate is still trusted is
    the revocation list's to say, not its age's. The document signer itself is held to
    the shell model (valid now, _check_signer_usable), as this check always did: Part 12
    has its certificate outlive the passports it signed."""
    issued = signer.not_valid_before_utc
    if not csca.not_valid_before_utc <= issued <= csca.not_valid_after_utc:
        raise PassportRefused("pa_signer_outside_csca",
                              "the document signer's certificate was issued outside its CSCA's validity period")


def _check_revocation(signer: x509.Certificate, csca: x509.Certificate,
                      crls: list[x509.CertificateRevocationList], now: dt.datetime, stale_crl: str) -> None:
    """Refused when the CSCA's latest CRL lists the signer's serial. A CRL counts only if
    its CSCA's key signed it (one under the CSCA's name that does not verify is a forgery
    or damage, logged and ignored: it could only take genuine passports away). A CSCA
    without a CRL is taken as revoking nothing (the PKD does not hold every state's); one
    whose latest CRL is past its nextUpdate is refused or accepted with a warning as
    `stale_crl` says."""
    held = []
    for crl in crls:
        if crl.issuer != csca.subject:
            continue
        if crl.is_signature_valid(csca.public_key()):  # type: ignore[arg-type]
            held.append(crl)
        else:
            log.warning("a CRL under a trusted CSCA's name does not verify with its key: ignored",
                        extra={"csca": csca.subject.rfc4514_string()})
    if not held:
        return
    latest = max(held, key=lambda c: c.last_update_utc)
    if latest.get_revoked_certificate_by_serial_number(signer.serial_number) is not None:
        raise PassportRefused("pa_signer_revoked", "the document signer's certificate is revoked by its CSCA")
    next_update = latest.next_update_utc
    if next_update is None or now > next_update:
        if stale_crl != STALE_WARN:
            raise PassportRefused("pa_crl_stale", "the CSCA's revocation list is past its next update")
        log.warning("a CSCA's revocation list is past its next update: accepted as configured",
                    extra={"csca": csca.subject.rfc4514_string(),
                           "next_update": next_update.isoformat() if next_update else ""})


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _check_signature(signer: x509.Certificate, signer_info: cms.SignerInfo, content: bytes) -> None:
    refused = PassportRefused("pa_signature_invalid", "EF.SOD's signature does not verify")
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    attributes = signer_info["signed_attrs"]
    if digest_name not in HASHES or not attributes:
        raise PassportRefused("sod_malformed", "EF.SOD's signature is not over signed attributes", malformed=True)
    values = {a["type"].native: a["values"] for a in attributes}
    digest = values.get("message_digest")
    declared = values.get("content_type")
    if not digest or not declared or declared[0].dotted != sod.LDS_SECURITY_OBJECT \
            or digest[0].native != hashlib.new(digest_name, content).digest():
        raise refused
    # RFC 5652 5.4: the signature covers the attributes encoded as a SET, not as [0].
    signed = b"\x31" + attributes.dump()[1:]
    key = signer.public_key()
    algorithm = HASHES[digest_name]()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signer_info["signature"].native, signed, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signer_info["signature"].native, signed, _rsa_padding(signer_info), algorithm)
        else:
            raise PassportRefused("pa_algorithm_unsupported", "the document signer's key type is not supported",
                                  malformed=True)
    except InvalidSignature:
        raise refused from None


def _rsa_padding(signer_info: cms.SignerInfo) -> padding.AsymmetricPadding:
    if signer_info["signature_algorithm"]["algorithm"].native == "rsassa_pss":
        return padding.PSS(mgf=padding.MGF1(HASHES[signer_info["digest_algorithm"]["algorithm"].native]()),
                           salt_length=padding.PSS.AUTO)
    return padding.PKCS1v15()
