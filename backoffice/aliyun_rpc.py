"""Alibaba Cloud's RPC-style API calls, as its documentation defines them: the common
parameters and signature version 1.0 (HMAC-SHA1 over the sorted, encoded query). Shared
by the SMS provider (dysmsapi) and the carriers' check (dytnsapi)."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Mapping
from urllib.parse import quote


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's RPC signature defines it (space as %20, ~ kept)."""
    return quote(value, safe="~")


def rpc_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    """Signature version 1.0, HMAC-SHA1: the sorted, encoded query, encoded again after
    `METHOD&%2F&`, keyed by the secret followed by "&"."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{access_key_secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_form(action: str, version: str, params: Mapping[str, str], access_key_id: str, access_key_secret: str,
                region: str = "cn-hangzhou") -> dict[str, str]:
    """A POST form for `action`: the common parameters, `params`, and the signature."""
    values = {
        "AccessKeyId": access_key_id, "Action": action, "Format": "JSON", "RegionId": region,
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": secrets.token_hex(16), "SignatureVersion": "1.0",
        "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": version,
        **params,
    }
    values["Signature"] = rpc_signature("POST", values, access_key_secret)
    return values
