"""Passive authentication's dates and revocations, over HTTP against the real back office:
a document signer not valid now, or issued outside its CSCA's validity period (the chain
model, so a retired CSCA's passports stay good), and one its CSCA revoked by a CRL in
BACKOFFICE_CSCA_CRLS are refused, each for its own reason; a forged CRL revokes nothing;
a CRL past its nextUpdate is refused by default. The trust list and the CRLs are read at
each proof, so the tests drop files beside the embedded back office's and take them away.
Before these checks, each refused chip here had a grant (or, not yet valid, a reason that
did not say so)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from devices.idcard.emulators.epassport import EPassportChip
from devices.idcard.emulators.passport_pki import (
    CRL_DIR,
    TRUST_DIR,
    issued_signer,
    make_pki,
    revocation_list,
)
from tests.api.test_presence_passport import HOLDER, present

DAY = dt.timedelta(days=1)
YEAR = dt.timedelta(days=365)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def pki(server):
    return server.passport_pki()


@pytest.fixture
def files(server):
    """write(folder, name, data): a file beside the back office's trust list or in its CRL
    folder, removed after the test."""
    written: list[Path] = []

    def write(folder: str, name: str, data: bytes) -> None:
        path = server.passport_pki_dir / folder / name
        path.write_bytes(data)
        written.append(path)

    yield write
    for path in written:
        path.unlink(missing_ok=True)


def crl_pem(crl) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def refused(answer, check: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == check and "grant" not in answer.json(), answer.text


def test_a_document_signer_not_valid_yet_is_refused_as_such(terminal, pki):
    signer = issued_signer(pki, (now() + DAY, now() + YEAR))
    refused(present(terminal, EPassportChip(HOLDER, signer=signer)), "pa_signer_not_yet_valid")


def test_a_document_signer_issued_before_its_csca_was_valid_is_refused(terminal, pki):
    """Signed by the trusted CSCA's key, valid now, but dated before the CSCA's own validity began."""
    signer = issued_signer(pki, (pki.csca.not_valid_before_utc - 10 * DAY, now() + YEAR))
    refused(present(terminal, EPassportChip(HOLDER, signer=signer)), "pa_signer_outside_csca")


def test_a_retired_cscas_signer_is_good_and_one_it_issued_after_it_expired_is_not(terminal, files):
    """The chain model: the CSCA's certificate ended a year ago; a signer it issued two
    years ago (its passports still valid) passes, one dated six months ago does not."""
    retired = make_pki("UTO", csca_valid=(now() - 10 * YEAR, now() - YEAR),
                       signer_valid=(now() - 2 * YEAR, now() + 5 * YEAR), name="CSCA UTO retired (test)")
    files(TRUST_DIR, "retired-csca.pem", retired.csca_pem())
    answer = present(terminal, EPassportChip(HOLDER, signer=retired.signer))
    assert answer.status_code == 201, answer.text
    late = issued_signer(retired, (now() - YEAR / 2, now() + 5 * YEAR))
    refused(present(terminal, EPassportChip(HOLDER, signer=late)), "pa_signer_outside_csca")


def test_a_signer_its_csca_revoked_is_refused_and_the_others_pass(terminal, pki, files):
    revoked = issued_signer(pki, (now() - DAY, now() + YEAR))
    files(CRL_DIR, "uto.crl", crl_pem(revocation_list(pki, revoked=(revoked.certificate.serial_number,))))
    refused(present(terminal, EPassportChip(HOLDER, signer=revoked)), "pa_signer_revoked")
    assert present(terminal, EPassportChip(HOLDER, signer=pki.signer)).status_code == 201


def test_the_latest_crl_counts_and_a_der_one_is_read(terminal, pki, files):
    """An older CRL that did not list the signer yet does not outweigh the newer one that does."""
    revoked = issued_signer(pki, (now() - DAY, now() + YEAR))
    older = revocation_list(pki, this_update=now() - 10 * DAY)
    newer = revocation_list(pki, revoked=(revoked.certificate.serial_number,))
    files(CRL_DIR, "uto-old.crl", crl_pem(older))
    files(CRL_DIR, "uto-new.der", newer.public_bytes(serialization.Encoding.DER))
    refused(present(terminal, EPassportChip(HOLDER, signer=revoked)), "pa_signer_revoked")


def test_a_forged_crl_under_the_cscas_name_revokes_nothing(terminal, pki, files):
    """Signed by another key: it could only take genuine passports away, and is ignored."""
    forged = revocation_list(pki, revoked=(pki.signer.certificate.serial_number,),
                             signed_by=ec.generate_private_key(ec.SECP256R1()))
    files(CRL_DIR, "forged.crl", crl_pem(forged))
    assert present(terminal, EPassportChip(HOLDER, signer=pki.signer)).status_code == 201


def test_a_crl_past_its_next_update_is_refused_by_default(terminal, files):
    stale = make_pki("UTO", name="CSCA UTO stale CRL (test)")
    files(TRUST_DIR, "stale-csca.pem", stale.csca_pem())
    files(CRL_DIR, "stale.crl", crl_pem(revocation_list(stale, this_update=now() - 40 * DAY,
                                                        next_update=now() - 10 * DAY)))
    refused(present(terminal, EPassportChip(HOLDER, signer=stale.signer)), "pa_crl_stale")


def test_a_crl_folder_that_cannot_be_read_stops_passport_proofs(terminal, pki, files):
    files(CRL_DIR, "damaged.crl", b"not a CRL")
    answer = present(terminal, EPassportChip(HOLDER, signer=pki.signer))
    assert answer.status_code == 503 and answer.json()["code"] == "passport_unavailable", answer.text
