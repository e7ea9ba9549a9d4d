#!/usr/bin/env python3
"""Simulated OCPP 1.6J charge point, or 2.0.1 station, for end-to-end tests (ocpp 2.1.0 + websockets 17).

Usage:
  python3 charger.py --url ws://127.0.0.1:PORT/ocpp/CP-1 --mode accept|reject|silent|disconnect|late
                     [--ocpp 1.6|2.0.1] [--offer ocpp2.0.1,ocpp1.6] [--connector 1] [--password X]
                     [--no-boot] [--timeout 10] [--max-seconds 0] [--trace]

With --ocpp 2.0.1 it is a v201 ChargePoint of the same package (EVSE id = --connector): commands name
v201 actions with snake_case fields, e.g. {"send":"TransactionEvent","event_type":"Started",...}.

stdout: one JSON object per line (flushed), e.g. {"event":"boot","status":"Accepted",...}.
stdin:  one JSON command per line, e.g. {"send":"Heartbeat"}, {"send":"raw","frame":"[2,\"x\",\"Foo\",{}]"},
        {"send":"close"}; in --mode late, a line "release" answers the oldest held CALL.
"""
import argparse
import asyncio
import base64
import json
import os
import stat
import sys
import uuid
from datetime import datetime, timezone

import websockets
from ocpp.exceptions import OCPPError
from ocpp.messages import MessageType, unpack
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action
from ocpp import v201

# CS-initiated CALLs whose answer is controlled by --mode, with (accept, reject) statuses.
CONTROLLED = {
    "RemoteStartTransaction": ("Accepted", "Rejected"),
    "RemoteStopTransaction": ("Accepted", "Rejected"),
    "RequestStartTransaction": ("Accepted", "Rejected"),
    "RequestStopTransaction": ("Accepted", "Rejected"),
    "ReserveNow": ("Accepted", "Rejected"),
    "UnlockConnector": ("Unlocked", "UnlockFailed"),
}


def emit(**fields):
    """Print one JSON line to stdout and flush it immediately."""
    print(json.dumps(fields, default=str), flush=True)


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Sim:
    """What both versions' simulators share: stdin commands, stdout lines, --mode handling.
    `calls`/`results` are the version's `call`/`call_result` modules."""
    calls, results = call, call_result

    def __init__(self, cp_id, ws, args):
        super().__init__(cp_id, ws, response_timeout=args.timeout)
        self.args = args
        self.commands = asyncio.Queue()  # stdin commands, executed one at a time
        self.held = []                   # CALLs held back in --mode late
        self.pending_id = None           # unique id of our own outstanding CALL
        self.last_response = None        # raw CallResult/CallError for pending_id

    # ---- incoming frames -------------------------------------------------
    async def route_message(self, raw):
        """Inspect every frame before the library routes it (mode handling, raw replies)."""
        if self.args.trace:
            emit(event="rx", frame=raw)
        try:
            msg = unpack(raw)
        except OCPPError as e:
            emit(event="bad_frame", frame=raw, error=str(e))
            return
        if msg.message_type_id == MessageType.Call:
            emit(event="call", action=msg.action, unique_id=msg.unique_id, payload=msg.payload, frame=raw)
            if msg.action in CONTROLLED:
                mode = self.args.mode
                if mode == "silent":
                    return  # never answer
                if mode == "disconnect" and msg.action in ("RemoteStartTransaction", "RequestStartTransaction"):
                    emit(event="disconnecting")
                    await self._connection.close()
                    return
                if mode == "late":
                    self.held.append(msg)
                    emit(event="held", action=msg.action, unique_id=msg.unique_id)
                    return
        elif msg.unique_id == self.pending_id:
            self.last_response = msg  # answer to our own CALL: let the library deliver it
        else:
            # Answer to a raw frame (or an unsolicited/stray response): just report it.
            emit(event="raw_response", frame=json.loads(raw))
            return
        await super().route_message(raw)

    async def _send(self, message):
        if self.args.trace:
            emit(event="tx", frame=message)
        await super()._send(message)

    async def release(self):
        """--mode late: answer the oldest held CALL with its 'accept' status."""
        if not self.held:
            emit(event="error", error="release: nothing held")
            return
        msg = self.held.pop(0)
        payload = {"status": CONTROLLED[msg.action][0]}
        await self._send(msg.create_call_result(payload).to_json())
        emit(event="answer", action=msg.action, unique_id=msg.unique_id, payload=payload, late=True)

    # (the library passes call_unique_id only to handlers that declare it)
    def _answer(self, action, unique_id):
        status = CONTROLLED[action][1 if self.args.mode == "reject" else 0]
        emit(event="answer", action=action, unique_id=unique_id, payload={"status": status})
        return getattr(self.results, action)(status=status)


    # ---- outgoing CALLs ----------------------------------------------------
    async def send_call(self, action, fields, validate=True):
        """Send one CALL via the library, print the outcome and return the raw answer payload."""
        uid = str(uuid.uuid4())
        self.pending_id, self.last_response = uid, None
        try:
            payload = getattr(self.calls, action)(**fields)
            await self.call(payload, suppress=False, unique_id=uid,
                            skip_schema_validation=not validate)
        except asyncio.TimeoutError:
            emit(event="timeout", action=action, unique_id=uid)
            return None
        except Exception as e:  # CALLERROR, invalid response or bad command
            resp = self.last_response
            if resp is not None and resp.message_type_id == MessageType.CallError:
                emit(event="callerror", action=action, unique_id=uid, code=resp.error_code,
                     description=resp.error_description, details=resp.error_details)
            elif resp is not None:
                emit(event="invalid_response", action=action, unique_id=uid,
                     payload=resp.payload, error=str(e))
            else:
                emit(event="error", action=action,
                     error=str(e) if isinstance(e, OCPPError) else f"{type(e).__name__}: {e}")
            return None
        finally:
            self.pending_id = None
        result = self.last_response.payload
        extra = {}
        if action == "StartTransaction" and isinstance(result, dict):
            extra["transaction_id"] = result.get("transactionId")
        emit(event="result", action=action, unique_id=uid, payload=result, **extra)
        return result

    async def run_command(self, cmd):
        """Execute one stdin JSON command: {"send": ACTION, ...snake_case fields}."""
        cmd = dict(cmd)
        action = cmd.pop("send", None)
        # "validate": false skips schema checks (fields the dataclass requires are still required;
        # use {"send":"raw"} for anything more broken).
        validate = cmd.pop("validate", True)
        if action == "raw":
            await self._connection.send(cmd["frame"])
            emit(event="raw_sent", frame=cmd["frame"])
            return
        if action == "close":
            await self._connection.close()
            return
        if not action or not hasattr(self.calls, action):
            emit(event="error", error=f"unknown command: {action}")
            return
        self.defaults(action, cmd)
        await self.send_call(action, cmd, validate=validate)

    # ---- stdin -------------------------------------------------------------
    async def read_stdin(self):
        """Read stdin lines without blocking the loop; 'release' bypasses the command queue."""
        loop = asyncio.get_running_loop()
        st = os.fstat(sys.stdin.fileno()).st_mode
        if stat.S_ISFIFO(st) or stat.S_ISSOCK(st) or sys.stdin.isatty():
            reader = asyncio.StreamReader()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
            readline = reader.readline
        else:  # regular file or /dev/null: epoll can't watch these, read in a worker thread
            def readline():
                return loop.run_in_executor(None, sys.stdin.buffer.readline)
        while line := await readline():
            text = line.decode().strip()
            if text == "release":
                await self.release()
            elif text:
                try:
                    self.commands.put_nowait(json.loads(text))
                except json.JSONDecodeError as e:
                    emit(event="error", error=f"bad stdin line: {e}")
        emit(event="stdin_eof")

    async def run_commands(self):
        if not self.args.no_boot:
            await self.boot()
        while True:
            cmd = await self.commands.get()
            try:
                await self.run_command(cmd)
            except websockets.ConnectionClosed:
                emit(event="error", error="connection closed", command=cmd)
            except Exception as e:
                emit(event="error", error=f"{type(e).__name__}: {e}", command=cmd)


class SimChargePoint(Sim, ChargePoint):
    """OCPP 1.6J."""

    @on(Action.remote_start_transaction)
    def on_remote_start(self, call_unique_id, **_):
        return self._answer("RemoteStartTransaction", call_unique_id)

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, call_unique_id, **_):
        return self._answer("RemoteStopTransaction", call_unique_id)

    @on(Action.reserve_now)
    def on_reserve_now(self, call_unique_id, **_):
        return self._answer("ReserveNow", call_unique_id)

    @on(Action.unlock_connector)
    def on_unlock_connector(self, call_unique_id, **_):
        return self._answer("UnlockConnector", call_unique_id)

    async def boot(self):
        res = await self.send_call("BootNotification", {
            "charge_point_vendor": "PySim", "charge_point_model": "SimCP-1"})
        res = res if isinstance(res, dict) else {}
        emit(event="boot", status=res.get("status"), interval=res.get("interval"),
             current_time=res.get("currentTime"))
        if res.get("status") == "Accepted":
            await self.send_call("StatusNotification", {
                "connector_id": self.args.connector, "error_code": "NoError",
                "status": "Available", "timestamp": now()})

    def defaults(self, action, cmd):
        """Fills what a test need not spell out."""
        if "connector" in cmd:
            cmd["connector_id"] = cmd.pop("connector")
        if action in ("StartTransaction", "StopTransaction"):
            cmd.setdefault("timestamp", now())
        if action == "StatusNotification":
            cmd.setdefault("connector_id", self.args.connector)
            cmd.setdefault("error_code", "NoError")
            cmd.setdefault("timestamp", now())
        if action == "MeterValues":
            cmd.setdefault("connector_id", self.args.connector)
            if "value" in cmd:  # convenience: one energy register sample in Wh
                cmd["meter_value"] = [{"timestamp": cmd.pop("timestamp", now()), "sampled_value": [{
                    "value": str(cmd.pop("value")), "measurand": "Energy.Active.Import.Register",
                    "unit": "Wh"}]}]


class SimStation(Sim, v201.ChargePoint):
    """OCPP 2.0.1: its EVSE id is --connector, its one connector 1."""
    calls, results = v201.call, v201.call_result

    @on("RequestStartTransaction")
    def on_request_start(self, call_unique_id, **_):
        return self._answer("RequestStartTransaction", call_unique_id)

    @on("RequestStopTransaction")
    def on_request_stop(self, call_unique_id, **_):
        return self._answer("RequestStopTransaction", call_unique_id)

    @on("ReserveNow")
    def on_reserve_now(self, call_unique_id, **_):
        return self._answer("ReserveNow", call_unique_id)

    @on("UnlockConnector")
    def on_unlock_connector(self, call_unique_id, **_):
        return self._answer("UnlockConnector", call_unique_id)

    async def boot(self):
        res = await self.send_call("BootNotification", {
            "reason": "PowerUp", "charging_station": {"vendor_name": "PySim", "model": "SimCS-201"}})
        res = res if isinstance(res, dict) else {}
        emit(event="boot", status=res.get("status"), interval=res.get("interval"),
             current_time=res.get("currentTime"))
        if res.get("status") == "Accepted":
            await self.send_call("StatusNotification", {
                "timestamp": now(), "connector_status": "Available", "evse_id": self.args.connector,
                "connector_id": 1})

    def defaults(self, action, cmd):
        """Fills what a test need not spell out; "wh" is one Energy.Active.Import.Register sample."""
        if action in ("TransactionEvent", "StatusNotification"):
            cmd.setdefault("timestamp", now())
        if action == "StatusNotification":
            cmd.setdefault("evse_id", self.args.connector)
            cmd.setdefault("connector_id", 1)
        if action == "TransactionEvent" and "wh" in cmd:
            context = cmd.pop("context", "Sample.Periodic")
            cmd["meter_value"] = [{"timestamp": cmd["timestamp"], "sampled_value": [{
                "value": cmd.pop("wh"), "context": context, "measurand": "Energy.Active.Import.Register",
                "unit_of_measure": {"unit": "Wh"}}]}]


async def exit_with_parent():
    """LEDGER_EXIT_WITH_PARENT (set by the test harness): end when the parent does, even if it was killed."""
    parent = os.getppid() if "LEDGER_EXIT_WITH_PARENT" in os.environ else 0
    while parent and os.getppid() == parent:
        await asyncio.sleep(0.2)
    if parent:
        os._exit(1)


async def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="ws://host:port/path/<chargePointId>")
    p.add_argument("--mode", default="accept", choices=["accept", "reject", "silent", "disconnect", "late"])
    p.add_argument("--connector", type=int, default=1)
    p.add_argument("--ocpp", default="1.6", choices=["1.6", "2.0.1"])
    p.add_argument("--offer", help="subprotocols to offer, comma-separated (default: the --ocpp one)")
    p.add_argument("--password", help="HTTP Basic auth password (username = charge point id)")
    p.add_argument("--no-boot", action="store_true", help="do not send BootNotification on connect")
    p.add_argument("--timeout", type=float, default=10, help="seconds to wait for CALL answers")
    p.add_argument("--max-seconds", type=float, default=0, help="exit after this long (0 = never)")
    p.add_argument("--trace", action="store_true", help="also print every rx/tx frame")
    args = p.parse_args()

    cp_id = args.url.rstrip("/").rsplit("/", 1)[-1]
    headers = {}
    if args.password is not None:
        token = base64.b64encode(f"{cp_id}:{args.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    try:
        offer = args.offer.split(",") if args.offer else ["ocpp" + args.ocpp]
        ws = await websockets.connect(args.url, subprotocols=offer, additional_headers=headers,
                                      compression=None, open_timeout=5)
    except websockets.InvalidStatus as e:  # HTTP rejection, e.g. 401 / 404
        emit(event="connect_failed", status=e.response.status_code)
        return 1
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
        emit(event="connect_failed", error=f"{type(e).__name__}: {e}")
        return 1
    emit(event="connected", id=cp_id, subprotocol=ws.subprotocol)

    cp = (SimStation if ws.subprotocol == "ocpp2.0.1" else SimChargePoint)(cp_id, ws, args)
    helpers = [asyncio.create_task(cp.read_stdin()), asyncio.create_task(cp.run_commands()), asyncio.create_task(exit_with_parent())]
    try:
        await asyncio.wait_for(cp.start(), args.max_seconds or None)
    except websockets.ConnectionClosed:
        pass
    except asyncio.TimeoutError:
        emit(event="max_seconds")
        await ws.close()
    emit(event="closed", code=ws.close_code, reason=ws.close_reason)
    for t in helpers:
        t.cancel()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
