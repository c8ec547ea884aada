"""backoffice/passport_auth.py on its own: whatever bytes a terminal sends, the verifier
answers a verified chip or a PassportRefused naming a check, never another exception (a
server error), for chips with EC and with RSA Active Authentication keys; a document
signer is used only within its validity period, if issued within its CSCA's, unrevoked
and for signing; and the trust list and CRLs are read from a file or a directory of PEM
and DER."""
from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.passport_auth import STALE_WARN, PassportRefused, load_crls, load_trust_list, verify_chip
from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
from devices.idcard.emulators.passport_pki import (
    DocumentSigner,
    expired_signer,
    make_pki,
    revocation_list,
    signer_without_signing_usage,
)
from devices.idcard.icao.reader import read_chip_evidence

PKI = make_pki()
CHALLENGE = bytes.fromhex("0011223344556677")
EVIDENCE = read_chip_evidence(EPassportChip(PassportHolder(), signer=PKI.signer).process,
                              PassportHolder().mrz_information, CHALLENGE, with_face=False)
RSA_EVIDENCE = {aa_key: read_chip_evidence(EPassportChip(PassportHolder(), signer=PKI.signer, aa_key=aa_key).process,
                                           PassportHolder().mrz_information, CHALLENGE, with_face=False)
                for aa_key in ("rsa", "rsa-sha256")}


def test_the_genuine_chip_verifies():
    assert EVIDENCE.sod and EVIDENCE.dg15 and EVIDENCE.aa_signature
    verified = verify_chip(EVIDENCE.sod, EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE, [PKI.csca])
    assert verified.document_number == "L898902C" and verified.data_groups == ("DG1", "DG15")


@pytest.mark.parametrize("aa_key", ["rsa", "rsa-sha256"])
def test_a_genuine_chip_with_an_rsa_key_verifies_and_only_for_its_challenge(aa_key):
    evidence = RSA_EVIDENCE[aa_key]
    assert evidence.sod and evidence.dg15 and evidence.aa_signature and len(evidence.aa_signature) == 128
    verified = verify_chip(evidence.sod, evidence.dg1, evidence.dg15, evidence.aa_signature, CHALLENGE, [PKI.csca])
    assert verified.data_groups == ("DG1", "DG15")
    with pytest.raises(PassportRefused) as refused:
        verify_chip(evidence.sod, evidence.dg1, evidence.dg15, evidence.aa_signature, bytes(8), [PKI.csca])
    assert refused.value.check == "aa_signature_invalid"


edits = st.lists(st.tuples(st.sampled_from(("set", "insert", "delete")), st.integers(0, 10_000), st.integers(0, 255)),
                 min_size=1, max_size=4)


def mutated(data: bytes, changes) -> bytes:
    out = bytearray(data)
    for kind, where, value in changes:
        at = where % (len(out) + 1)
        if kind == "insert":
            out.insert(at, value)
        elif out and at < len(out):
            if kind == "set":
                out[at] = value
            else:
                del out[at]
    return bytes(out)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(which=st.sampled_from(("sod", "dg1", "dg15", "aa_signature")), changes=edits)
def test_altered_evidence_is_refused_by_name_never_a_crash(which, changes):
    files = {"sod": EVIDENCE.sod or b"", "dg1": EVIDENCE.dg1, "dg15": EVIDENCE.dg15 or b"",
             "aa_signature": EVIDENCE.aa_signature or b""}
    original = files[which]
    files[which] = mutated(original, changes)
    try:
        verify_chip(files["sod"], files["dg1"], files["dg15"], files["aa_signature"], CHALLENGE, [PKI.csca])
    except PassportRefused as refusal:
        assert refusal.check and "L898902C" not in refusal.detail
        return
    # What still verifies may differ only where no one signs: never in DG1, DG15 or the signature.
    assert which == "sod" or files[which] == original


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(which=st.sampled_from(("dg15", "aa_signature")), changes=edits)
def test_altered_rsa_evidence_is_refused_by_name_never_a_crash(which, changes):
    evidence = RSA_EVIDENCE["rsa"]
    files = {"dg15": evidence.dg15 or b"", "aa_signature": evidence.aa_signature or b""}
    original = files[which]
    files[which] = mutated(original, changes)
    try:
        verify_chip(evidence.sod or b"", evidence.dg1, files["dg15"], files["aa_signature"], CHALLENGE, [PKI.csca])
    except PassportRefused as refusal:
        assert refusal.check
        return
    assert files[which] == original


def test_the_trust_list_is_read_from_a_pem_file_or_a_directory(tmp_path):
    other = make_pki("FRA")
    bundle = tmp_path / "csca.pem"
    bundle.write_bytes(PKI.csca_pem() + other.csca_pem())
    assert [c.subject for c in load_trust_list(bundle)] == [PKI.csca.subject, other.csca.subject]
    directory = tmp_path / "trust"
    directory.mkdir()
    (directory / "a.pem").write_bytes(PKI.csca_pem())
    (directory / "b.der").write_bytes(other.csca.public_bytes(serialization.Encoding.DER))
    (directory / "README.txt").write_text("not a certificate")
    assert {c.subject for c in load_trust_list(directory)} == {PKI.csca.subject, other.csca.subject}


def test_a_chip_whose_csca_is_absent_from_the_list_is_refused():
    with pytest.raises(PassportRefused) as refused:
        verify_chip(EVIDENCE.sod or b"", EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE,
                    [make_pki().csca])
    assert refused.value.check == "pa_signer_untrusted"


def evidence_signed_by(signer: DocumentSigner):
    return read_chip_evidence(EPassportChip(PassportHolder(), signer=signer).process,
                              PassportHolder().mrz_information, CHALLENGE, with_face=False)


def refused_check(evidence, now: dt.datetime | None = None) -> str:
    with pytest.raises(PassportRefused) as refused:
        verify_chip(evidence.sod or b"", evidence.dg1, evidence.dg15, evidence.aa_signature, CHALLENGE, [PKI.csca],
                    now=now)
    return refused.value.check


def test_a_signer_is_used_only_within_its_certificates_validity_period():
    certificate, second = PKI.signer.certificate, dt.timedelta(seconds=1)
    assert refused_check(EVIDENCE, now=certificate.not_valid_after_utc + second) == "pa_signer_expired"
    assert refused_check(EVIDENCE, now=certificate.not_valid_before_utc - second) == "pa_signer_not_yet_valid"
    inside = certificate.not_valid_after_utc - dt.timedelta(days=1)
    assert verify_chip(EVIDENCE.sod or b"", EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE, [PKI.csca],
                       now=inside.replace(tzinfo=None)).document_number == "L898902C"  # a naive time is UTC
    assert refused_check(evidence_signed_by(expired_signer(PKI))) == "pa_signer_expired"


def test_a_signer_whose_key_usage_is_not_signing_is_refused():
    assert refused_check(evidence_signed_by(signer_without_signing_usage(PKI))) == "pa_signer_usage"


def test_a_signer_certificate_without_key_usage_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(PKI.signer.certificate.subject)
                   .issuer_name(PKI.csca.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
                   .sign(PKI.csca_key, hashes.SHA256()))
    assert refused_check(evidence_signed_by(DocumentSigner(key, certificate))) == "pa_signer_usage"


def test_a_rogue_signer_is_untrusted_before_its_dates_are_read():
    """The issuer's signature is checked first: a forger's certificate gets no more precise an answer."""
    from devices.idcard.emulators.passport_pki import rogue_signer

    later = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    assert refused_check(EVIDENCE, now=later) == "pa_signer_expired"
    assert refused_check(evidence_signed_by(rogue_signer(PKI)), now=later) == "pa_signer_untrusted"


def test_a_stale_crl_is_refused_or_accepted_with_a_warning_as_configured(caplog):
    now = dt.datetime.now(dt.timezone.utc)
    stale = revocation_list(PKI, this_update=now - dt.timedelta(days=40), next_update=now - dt.timedelta(days=10))
    with pytest.raises(PassportRefused) as refused:
        verify_chip(EVIDENCE.sod or b"", EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE, [PKI.csca],
                    crls=[stale])
    assert refused.value.check == "pa_crl_stale"
    assert verify_chip(EVIDENCE.sod or b"", EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE,
                       [PKI.csca], crls=[stale], stale_crl=STALE_WARN).document_number == "L898902C"
    assert "past its next update" in caplog.text
    # Revoked stays revoked, stale or not.
    revoked = revocation_list(PKI, revoked=(PKI.signer.certificate.serial_number,),
                              this_update=now - dt.timedelta(days=40), next_update=now - dt.timedelta(days=10))
    with pytest.raises(PassportRefused) as refused:
        verify_chip(EVIDENCE.sod or b"", EVIDENCE.dg1, EVIDENCE.dg15, EVIDENCE.aa_signature, CHALLENGE, [PKI.csca],
                    crls=[revoked], stale_crl=STALE_WARN)
    assert refused.value.check == "pa_signer_revoked"


def test_crls_are_read_from_a_pem_bundle_or_a_directory(tmp_path):
    first, second = revocation_list(PKI), revocation_list(make_pki())
    bundle = tmp_path / "crls.pem"
    bundle.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (first, second)))
    assert [c.issuer for c in load_crls(bundle)] == [first.issuer, second.issuer]
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "a.crl").write_bytes(first.public_bytes(serialization.Encoding.DER))
    (directory / "b.pem").write_bytes(second.public_bytes(serialization.Encoding.PEM))
    (directory / "notes.txt").write_text("not read")
    assert len(load_crls(directory)) == 2
