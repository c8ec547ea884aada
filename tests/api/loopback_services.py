"""Services the tests meet on loopback: a quiet JSON service, and Alibaba Cloud's RPC
endpoints, each request's signature checked by the documented rule, written out byte by
byte here (not the code under test's), then answered by the emulated service."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
from http.server import ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qsl

from backoffice.face import compare as comparing
from backoffice.face import detect, images, sequence
from backoffice.face.embed import embedding
from backoffice.face.model import model
from demo.json_service import JsonService

KEY_ID, KEY_SECRET = "LTAI-test", "the-access-key-secret"


def _encode(text: str) -> str:
    """The documented rule, byte by byte: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    keep = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in text.encode())


class RpcEmulator(JsonService):
    """Checks the signature of a POSTed form; `respond(form)` gives (status, JSON body)."""

    def respond(self, form: dict[str, str]) -> tuple[int, dict]:
        raise NotImplementedError

    def do_POST(self):
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode(), keep_blank_values=True))
        signature = form.pop("Signature", "")
        canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(form.items()))
        expected = base64.b64encode(hmac.new(f"{KEY_SECRET}&".encode(), f"POST&%2F&{_encode(canonical)}".encode(),
                                             hashlib.sha1).digest()).decode()
        self.answer(*(self.respond(form) if hmac.compare_digest(signature, expected)
                      else (400, {"Code": "SignatureDoesNotMatch"})))


@contextlib.contextmanager
def serving(handler: type[JsonService]) -> Iterator[str]:
    """The emulator on a free loopback port: its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class OneActionEmulator(RpcEmulator):
    """One action of one API version: every signed request kept in `received`, another
    action refused, and all refused as the provider's flow control does while `throttled`."""
    action = version = ""
    received: list[dict] = []
    throttled = False

    def respond(self, form):
        type(self).received.append(form)
        if form.get("Action") != self.action or form.get("Version") != self.version:
            return 400, {"Code": "InvalidAction.NotFound"}
        if type(self).throttled:
            return 400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}
        return self.respond_to(form)

    def respond_to(self, form: dict[str, str]) -> tuple[int, dict]:
        raise NotImplementedError


class DytnsEmulator(OneActionEmulator):
    """号码百科's ThreeElementsVerification: `registered` holds (name, ID number, phone) of
    the SIM cards sold; it sees only their SHA-256 (Mask=SHA256), as the service would."""
    action, version = "ThreeElementsVerification", "2020-02-17"
    registered: set[tuple[str, str, str]] = set()

    def respond_to(self, form):
        if form.get("Mask") != "SHA256" or form.get("AuthCode") != "AUTH-3E-TEST":
            return 400, {"Code": "AuthCodeIllegal"}
        asked = (form["Name"].lower(), form["CertCode"].lower(), form["InputNumber"].lower())
        sold = {(sha256(n), sha256(i), sha256(p)) for n, i, p in type(self).registered}
        phones = {sha256(p) for _n, _i, p in type(self).registered}
        verdict = 1 if asked in sold else (0 if asked[2] in phones else 2)
        return 200, {"Code": "OK", "Message": "OK", "RequestId": "CC3BB6D2", "Data": {"IsConsistent": verdict}}


class CloudauthEmulator(OneActionEmulator):
    """金融级实人认证's ContrastFaceVerify (ProductCode ID_MIN), as its documentation
    describes the answers: `records` maps an ID number to (name, photo on record). The
    provider's own comparison is stood in for by this back office's face model (a match at
    or under 0.45, verifyScore = 100 x (1 - distance)); `exhausted` holds ID numbers whose
    checks are used up for the day (Code 418)."""
    action, version = "ContrastFaceVerify", "2019-03-07"
    records: dict[str, tuple[str, bytes]] = {}
    exhausted: set[str] = set()

    def respond_to(self, form):
        required = ("SceneId", "OuterOrderNo", "ProductCode", "CertType", "CertName", "CertNo", "FaceContrastPicture")
        if any(not form.get(name) for name in required):
            return 200, {"Code": "400", "Message": "参数不能为空", "RequestId": "5A6B7C8D"}
        if form["ProductCode"] != "ID_MIN" or form["CertType"] != "IDENTITY_CARD" or len(form["OuterOrderNo"]) > 32:
            return 200, {"Code": "401", "Message": "参数非法", "RequestId": "5A6B7C8D"}
        if form["CertNo"] in type(self).exhausted:
            return 200, {"Code": "418", "Message": "刷脸失败次数过多", "RequestId": "5A6B7C8D"}
        (passed, sub_code), score = self._verdict(form)
        material = {"faceAttack": "F", "faceOcclusion": "F", "facialPictureFront": {"qualityScore": 95.0}}
        if score is not None:
            material["facialPictureFront"]["verifyScore"] = score
        return 200, {"Code": "200", "Message": "success", "RequestId": "5A6B7C8D", "ResultObject": {
            "Passed": passed, "SubCode": sub_code, "CertifyId": form["OuterOrderNo"][::-1],
            "MaterialInfo": json.dumps(material)}}

    def _verdict(self, form) -> tuple[tuple[str, str], float | None]:
        record = type(self).records.get(form["CertNo"])
        if record is None:
            return ("F", "202"), None
        name, photo = record
        if name != form["CertName"]:
            return ("F", "201"), None
        face_model = model()
        try:
            reference = sequence.reference_embedding(face_model, photo)
            rgb = images.decode(base64.b64decode(form["FaceContrastPicture"]))
            live = embedding(face_model, rgb, detect.one_face(face_model, rgb))
        except (detect.NoFace, detect.ManyFaces, images.ImageRefused, ValueError):
            return ("F", "204"), None
        distance = comparing.distance(live, reference)
        return ("T", "200") if distance <= 0.45 else ("F", "204"), round(100 * (1 - distance), 2)
