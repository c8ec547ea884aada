"""The courier, emulated on loopback for the demo and tests: EMS government mail (政务寄递)
as backoffice/courier.py's HttpCourier speaks to it. An order is answered with an S10
waybill number, the same one for the same order number; tracking moves one step each time
it is advanced (POST /waybills/{no}/advance: the tests), from collected to delivered, or
each time it is read when `auto_advance` is set (the demo: every sweep moves a parcel on).
`fail_next` makes the next order calls fail, and `lose_answer` the next order's answer be
lost after the order was taken (a timeout on the line): what retries meet.

Run alone: python -m demo.courier_emulator [--port N]"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import threading
from http.server import ThreadingHTTPServer
from typing import Iterator

from backoffice.courier import STEPS, s10_check_digit
from demo.json_service import JsonService
from domain.county import CST

PLACES = {"collected": "澄迈县邮政分公司金江营业部", "in_transit": "海口邮区中心局",
          "out_for_delivery": "澄迈县邮政分公司投递部", "delivered": "收件人签收"}


class CourierState:
    def __init__(self):
        self.lock = threading.Lock()
        self.orders: dict[str, dict] = {}  # order number -> the order, with its waybill
        self.traces: dict[str, list[dict]] = {}  # waybill -> its steps so far
        self.fail_next = 0
        self.auto_advance = False
        self.lose_answer = 0
        self.serial = 10_000_000

    def order(self, body: dict) -> str:
        with self.lock:
            known = self.orders.get(body["order_no"])
            if known is not None:
                return known["waybill_no"]
            self.serial += 1
            serial = f"{self.serial:08d}"
            waybill = f"EA{serial}{s10_check_digit(serial)}CN"
            self.orders[body["order_no"]] = {**body, "waybill_no": waybill}
            self.traces[waybill] = []
            return waybill

    def advance(self, waybill: str) -> list[dict]:
        with self.lock:
            steps = self.traces[waybill]
            if len(steps) < len(STEPS):
                step = STEPS[len(steps)]
                at = dt.datetime.now(CST).replace(microsecond=0)
                steps.append({"step": step, "at": at.isoformat(), "place": PLACES[step]})
            return list(steps)


class CourierEmulator(JsonService):
    state = CourierState()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        state = type(self).state
        if self.path == "/orders":
            if state.fail_next:
                state.fail_next -= 1
                return self.answer(503, {"error": "service busy"})
            if not body.get("order_no") or not body.get("address") or not body.get("phone"):
                return self.answer(400, {"error": "order_no, address and phone are required"})
            waybill = state.order(body)
            if state.lose_answer:
                state.lose_answer -= 1
                return self.answer(504, {"error": "gateway timeout"})  # taken, but the answer is lost
            return self.answer(200, {"waybill_no": waybill})
        parts = self.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "waybills" and parts[2] == "advance" and parts[1] in state.traces:
            return self.answer(200, {"traces": state.advance(parts[1])})
        self.answer(404, {"error": "no such path"})

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        state = type(self).state
        if len(parts) == 3 and parts[0] == "waybills" and parts[2] == "traces" and parts[1] in state.traces:
            traces = state.advance(parts[1]) if state.auto_advance else list(state.traces[parts[1]])
            return self.answer(200, {"traces": traces})
        self.answer(404, {"error": "no such waybill"})


@contextlib.contextmanager
def serving(port: int = 0) -> Iterator[tuple[str, CourierState]]:
    """The emulator on loopback, with a state of its own: its URL and that state."""
    handler = type("Courier", (CourierEmulator,), {"state": CourierState()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler.state
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="The courier emulator (EMS government mail) on loopback")
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()
    CourierEmulator.state.auto_advance = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), CourierEmulator)
    print(f"courier emulator on http://127.0.0.1:{args.port}/ (BACKOFFICE_COURIER=emulator:URL)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
