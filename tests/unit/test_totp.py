"""The second factor's codes against RFC 6238's own test vectors, and the rules around
them: the step either side, no code twice."""
from __future__ import annotations

import base64

import pytest

from backoffice.security import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1


@pytest.mark.parametrize("at, expected", [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                                          (1234567890, "89005924"), (2000000000, "69279037"),
                                          (20000000000, "65353130")])
def test_rfc_6238_vectors(at, expected):
    assert totp.code_at(RFC_SECRET, at, digits=8) == expected


def test_the_step_either_side_matches_and_no_further():
    secret, now = totp.new_secret(), 1_800_000_000
    step = now // totp.STEP_S
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, now + offset * 30), 0, now) == step + offset
    for offset in (-3, 3):
        assert totp.matching_step(secret, totp.code_at(secret, now + offset * 30), 0, now) is None


def test_a_used_step_cannot_be_used_again():
    secret, now = totp.new_secret(), 1_800_000_000
    code = totp.code_at(secret, now)
    used = totp.matching_step(secret, code, 0, now)
    assert used is not None
    assert totp.matching_step(secret, code, used, now) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 456"])
def test_malformed_codes_match_nothing(typed):
    assert totp.matching_step(totp.new_secret(), typed, 0, 1_800_000_000) is None


def test_the_provisioning_address_names_the_account_and_secret():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "admin01")
    assert uri.startswith("otpauth://totp/") and "admin01" in uri and "secret=JBSWY3DPEHPK3PXP" in uri
