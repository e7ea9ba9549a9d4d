#!/usr/bin/env python3
"""Soak test of `ledger serve` under load, with faults, that stops by itself (loopback only).

    python3 Tests/APITests/Soak/soak.py --ledger .build/debug/ledger --seconds 120 [--chargers 50] [--seed 1]

For --seconds it runs one `ledger serve` (SQLite, a fresh directory) with:
  - --chargers simulated charge points (the Python `ocpp` library, one asyncio loop): OCPP 1.6J,
    and one in five (--v201-every 5) an OCPP 2.0.1 station (TransactionEvents numbered by seqNo,
    remote starts echoing their remoteStartId), that answer remote starts and stops (mostly
    Accepted, some Rejected, some never: TIMEOUT), swipe RFID cards, send meter values, drop their
    connection now and then and reconnect, and resend every CALL that got no answer - as chargers
    queue transaction messages;
  - an IOP stand-in (HTTP on loopback) that sends START_SESSION/STOP_SESSION, receives results,
    Sessions and CDRs, authorizes RFID swipes, and goes down (connection refused) twice;
  - two `kill -9` of the server, each restarted at once on the same ledger and port.
Then it drains (no new load, every session stopped, the outbox empty), stops the server with
SIGTERM, and checks: `ledger verify` and `ledger replay` clean; every command answered
synchronously is in the ledger with that answer; every ACCEPTED command got exactly one async
result, delivered; every StartTransaction, MeterValues and StopTransaction a charger got an
answer to is in the ledger; every ended session has exactly one CDR, delivered; nothing is left
in the outbox; the server's RSS and open file descriptors stayed bounded.

Multi-instance mode (`--instances N`, N >= 2, on a PostgreSQL `--db`):

    python3 Tests/APITests/Soak/soak.py --ledger .build/debug/ledger --seconds 60 --instances 2 \
        --db postgres://ledger:ledger@127.0.0.1:5432/soak_scratch

runs N `ledger serve` on the same database (one port each, same locations, tokens and IOP). Each
charger connects to instance (its index % N) first and, when a connection fails or drops, to the
next instance that is up - so the chargers of a killed instance move to the survivors; the IOP
stand-in posts each command to a random live instance (another one on connection refused). The
faults: the two IOP outages, and one kill -9 of instance 0 in the middle of the first outage
(restarted later: a new instance id on the same port). On top of every check above: each result
and each CDR reached the IOP exactly once (no duplicates), every instance answered commands, and
some CALLs were sent through another instance (`CommandDispatched.via`). The drain allows for the
leases a killed instance leaves behind (60 s on an outbox lane, 30 s on its heartbeat).

Exit 0 when every check holds, 1 otherwise. The last line of stdout is a JSON summary (also
written to <workdir>/summary.json); progress goes to stderr.
"""
import argparse
import asyncio
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone

import websockets
from ocpp.exceptions import OCPPError
from ocpp.messages import MessageType, unpack
from ocpp.routing import on
from ocpp import v201
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

TOKEN = "soak-iop-token"
IOP_TOKEN = "soak-cpo-token"
COMMAND_TIMEOUT = 5
DISPATCHED = 'status="dispatched"'  # the /metrics label of commands waiting for their charger
STARTED = time.monotonic()


def log(message):
    print(f"[soak {time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The IOP stand-in: receives what the ledger sends, authorizes swipes, goes down when told.

class IOP:
    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.received = []          # (method, path, body) of every request answered 200
        self.arrivals = []          # (wall time, method, path, CDR id or result) of each, for the record
        self.active_sessions = {}   # session id -> evse uid, from PUTs not yet COMPLETED
        self.server = None
        self.outages = 0

    def up(self):
        iop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parsed = json.loads(body) if body else None
                path = self.path.split("?")[0]
                if path.endswith("/authorize"):
                    data = {"allowed": "ALLOWED", "authorization_id": f"rfid-{uuid.uuid4()}"}
                else:
                    data = None
                with iop.lock:
                    iop.received.append((self.command, path, parsed))
                    iop.arrivals.append((datetime.now(timezone.utc).isoformat(timespec="milliseconds"), self.command, path,
                                         (parsed or {}).get("id") or (parsed or {}).get("result") if isinstance(parsed, dict) else None))
                    if "/sessions/" in path and isinstance(parsed, dict):
                        session_id = path.rsplit("/", 1)[-1]
                        if self.command == "PUT":
                            iop.active_sessions[session_id] = parsed.get("evse_uid")
                        elif parsed.get("status") == "COMPLETED":
                            iop.active_sessions.pop(session_id, None)
                reply = json.dumps({"status_code": 1000, "timestamp": now_iso(), "data": data}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_POST = do_PUT = do_PATCH = answer

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.outages += 1
        self.server.shutdown()
        self.server.server_close()

    def received_where(self, predicate):
        with self.lock:
            return [r for r in self.received if predicate(r)]


# ---------------------------------------------------------------------------------------------
# `ledger serve`, killed and restarted; its RSS and open descriptors sampled every second.

class Server:
    def __init__(self, ledger, workdir, port, iop_port, locations, db, index=0, multi=False):
        self.ledger, self.workdir, self.port, self.db = ledger, workdir, port, db
        self.index, self.multi = index, multi
        self.name = f"server {index}" if multi else "server"
        self.args = [ledger, "serve", "--db", self.db, "--port", str(port), "--locations", locations,
                     "--token", TOKEN, "--iop-token", IOP_TOKEN,
                     "--iop-url", f"http://127.0.0.1:{iop_port}/ocpi/emsp/2.1.1",
                     "--command-timeout", str(COMMAND_TIMEOUT)]
        self.process = None
        self.instances = []   # per run of the server: list of (seconds since its start, rss kB, fds)
        self.logs = []        # per run: its log file (stderr)
        self.kills = 0
        self.up = False       # started and not killed (what chargers and the IOP stand-in go by)

    def instance_ids(self):
        """The instance id of each run, from its log (every line carries `instance=<id>`)."""
        ids = []
        for path in self.logs:
            try:
                with open(path) as f:
                    found = re.search(r"instance=([0-9a-f-]{36})", f.read())
            except OSError:
                found = None
            ids.append(found.group(1) if found else None)
        return ids

    async def start(self):
        self.instances.append([])
        filename = f"server{self.index}-{len(self.instances)}.log" if self.multi else f"server-{len(self.instances)}.log"
        self.logs.append(os.path.join(self.workdir, filename))
        logfile = open(self.logs[-1], "w")
        # The server ends with this script, even a killed one (ParentWatch in `ledger serve`).
        environment = {**os.environ, "LEDGER_EXIT_WITH_PARENT": str(os.getpid())}
        self.process = await asyncio.create_subprocess_exec(
            *self.args, stdout=asyncio.subprocess.PIPE, stderr=logfile, env=environment)
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), 60)
            if not line:
                logfile.flush()
                with open(logfile.name) as written:
                    tail = written.read()[-2000:]
                # The work directory is removed with the test: the log's end goes into the summary.
                raise RuntimeError(f"ledger serve exited at start ({logfile.name}): {tail}")
            if line.startswith(b"ledger serving on"):
                break
        asyncio.get_running_loop().create_task(self.process.stdout.read())  # keep the pipe drained
        asyncio.get_running_loop().create_task(self.sample(self.process, self.instances[-1]))
        self.up = True
        if self.multi:
            log(f"{self.name} run {len(self.instances)} up on port {self.port} (pid {self.process.pid})")
        else:
            log(f"server {len(self.instances)} up (pid {self.process.pid})")

    async def sample(self, process, samples):
        began = time.monotonic()
        while process.returncode is None:
            try:
                with open(f"/proc/{process.pid}/status") as status:
                    rss = next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
                fds = len(os.listdir(f"/proc/{process.pid}/fd"))
                samples.append((time.monotonic() - began, rss, fds))
            except (OSError, StopIteration):
                pass
            await asyncio.sleep(1)

    async def kill9(self):
        self.kills += 1
        self.up = False
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        log(f"{self.name} killed with SIGKILL ({self.kills})")

    async def terminate(self):
        self.up = False
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except asyncio.TimeoutError:
            self.process.kill()
            raise RuntimeError("ledger serve did not stop within 30 s of SIGTERM")


# ---------------------------------------------------------------------------------------------
# Charge points. The state (queue, session) outlives connections; a SoakConnection is one socket.

class Session:
    def __init__(self, id_tag, meter, remote_start_id=None):
        self.id_tag, self.meter = id_tag, meter
        self.transaction_id = None
        self.stop_requested = False
        self.remote_start_id = remote_start_id  # OCPP 2.0.1: echoed in the Started event
        self.seq_no = 0                         # OCPP 2.0.1: the next TransactionEvent's number

    def next_seq_no(self):
        self.seq_no += 1
        return self.seq_no - 1


class Charger:
    def __init__(self, soak, cp_id, evse_uid, v201=False):
        self.soak, self.id, self.evse_uid = soak, cp_id, evse_uid
        self.v201 = v201               # an OCPP 2.0.1 station rather than a 1.6J charge point
        self.queue = asyncio.Queue()   # CALLs to send in order: (action, build payload, on answer)
        self.session = None
        self.connection = None         # the SoakConnection while connected
        self.connected = asyncio.Event()
        self.idle = asyncio.Event()    # set when the queue is empty and nothing is in flight
        self.idle.set()
        self.rfid_count = 0
        self.target = 0                # the instance it connects to next (first: its index % N)
        self.connected_to = None       # the instance of the current (or last) connection
        self.connections = []          # (server index, its run) of each connection made, in order

    # -- the CALL queue: every CALL is sent until it is answered (a CALLRESULT, or a CALLERROR
    #    other than InternalError), across disconnections and server restarts.
    def enqueue(self, action, build, on_answer=None):
        self.idle.clear()
        self.queue.put_nowait((action, build, on_answer))

    async def sender(self):
        while True:
            action, build, on_answer = await self.queue.get()
            while True:
                await self.connected.wait()
                connection = self.connection
                try:
                    result = await connection.send_call(build())
                except OCPPError as error:
                    if type(error).__name__ == "InternalError":
                        self.soak.count("charger CALLs answered InternalError (retried)")
                        await asyncio.sleep(1)
                        continue
                    self.soak.count(f"charger CALLs refused ({type(error).__name__})")
                    result = None
                except (asyncio.TimeoutError, websockets.ConnectionClosed, ConnectionError):
                    self.soak.count("charger CALLs resent after no answer")
                    await asyncio.sleep(0.2)
                    continue
                break
            if on_answer and result is not None:
                on_answer(result)
            if self.queue.empty():
                self.idle.set()

    # -- what a driver does
    def charge(self, id_tag, remote, remote_start_id=None):
        if self.session is not None:
            return False
        session = self.session = Session(id_tag, random.randint(0, 50_000), remote_start_id)
        self.soak.count("sessions started by " + ("remote start" if remote else "RFID") + (" (OCPP 2.0.1)" if self.v201 else ""))
        self.soak.loop.create_task(self.run_transaction(session) if self.v201 else self.run_session(session))
        return True

    @staticmethod
    async def charged(session):
        """About 1.5 s of charging, or less if a stop is asked for: False then."""
        for _ in range(10):
            if session.stop_requested:
                return False
            await asyncio.sleep(0.15)
        return not session.stop_requested

    async def run_transaction(self, session):
        """OCPP 2.0.1: Started, Updated with readings, Ended - each TransactionEvent numbered, and
        resent exactly as first sent (seqNo and time included) until answered."""
        session.transaction_id = str(uuid.uuid4())
        transaction = session.transaction_id

        def event(event_type, trigger, wh, context, at, **extra):
            info = {"transaction_id": transaction, **extra.pop("info", {})}
            return v201.call.TransactionEvent(
                event_type=event_type, timestamp=at, trigger_reason=trigger, seq_no=session.next_seq_no(),
                transaction_info=info, meter_value=[{"timestamp": at, "sampled_value": [{
                    "value": wh, "context": context, "unit_of_measure": {"unit": "Wh"}}]}], **extra)

        await asyncio.sleep(random.uniform(0.2, 1.0))  # the driver plugs in
        token_type = "Central" if session.remote_start_id is not None else "ISO14443"
        info = {"charging_state": "Charging"}
        if session.remote_start_id is not None:
            info["remote_start_id"] = session.remote_start_id
        started = event("Started", "RemoteStart" if session.remote_start_id is not None else "Authorized", session.meter,
                        "Transaction.Begin", now_iso(), info=info, id_token={"id_token": session.id_tag, "type": token_type},
                        evse={"id": 1, "connector_id": 1})
        self.enqueue("TransactionEvent", lambda: started,
                     lambda _: self.soak.acked["StartTransaction"].append((self.id, transaction)))
        for _ in range(random.randint(2, 6)):
            if not await self.charged(session):
                break
            session.meter += random.randint(200, 2000)
            value = session.meter
            updated = event("Updated", "MeterValuePeriodic", value, "Sample.Periodic", now_iso())
            self.enqueue("TransactionEvent", lambda updated=updated: updated,
                         lambda _, value=value: self.soak.acked["MeterValues"].append((transaction, value)))
        session.meter += random.randint(0, 500)
        remote = session.stop_requested
        ended = event("Ended", "RemoteStop" if remote else "StopAuthorized", session.meter, "Transaction.End", now_iso(),
                      info={"stopped_reason": "Remote" if remote else "Local", "charging_state": "EVConnected"})
        self.enqueue("TransactionEvent", lambda: ended, lambda _: self.soak.acked["StopTransaction"].append(transaction))
        self.enqueue("StatusNotification", lambda: v201.call.StatusNotification(
            timestamp=now_iso(), connector_status="Available", evse_id=1, connector_id=1))
        await self.idle.wait()
        self.session = None

    async def run_session(self, session):
        def started(result):
            session.transaction_id = result.transaction_id
            self.soak.acked["StartTransaction"].append((self.id, session.transaction_id))

        await asyncio.sleep(random.uniform(0.2, 1.0))  # the driver plugs in
        # A message is resent exactly as first sent (its time included), as a charger's queue keeps it.
        started_at, meter_start = now_iso(), session.meter
        self.enqueue("StartTransaction", lambda: call.StartTransaction(
            connector_id=1, id_tag=session.id_tag, meter_start=meter_start, timestamp=started_at), started)
        self.enqueue("StatusNotification", lambda: call.StatusNotification(
            connector_id=1, error_code="NoError", status="Charging", timestamp=started_at))
        for _ in range(random.randint(2, 6)):
            if not await self.charged(session):
                break
            session.meter += random.randint(200, 2000)
            value, measured_at = session.meter, now_iso()
            self.enqueue("MeterValues", lambda value=value, measured_at=measured_at: call.MeterValues(
                connector_id=1, transaction_id=session.transaction_id, meter_value=[{
                    "timestamp": measured_at, "sampled_value": [{
                        "value": str(value), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]),
                lambda _, value=value: self.soak.acked["MeterValues"].append((session.transaction_id, value)))
        session.meter += random.randint(0, 500)
        reason = "Remote" if session.stop_requested else "Local"
        meter_stop, stopped_at = session.meter, now_iso()
        self.enqueue("StopTransaction", lambda: call.StopTransaction(
            transaction_id=session.transaction_id, meter_stop=meter_stop, timestamp=stopped_at, reason=reason),
            lambda _: self.soak.acked["StopTransaction"].append(session.transaction_id))
        self.enqueue("StatusNotification", lambda: call.StatusNotification(
            connector_id=1, error_code="NoError", status="Available", timestamp=stopped_at))
        await self.idle.wait()
        self.session = None

    def swipe(self):
        self.rfid_count += 1
        id_tag = f"RFID-{self.id}-{self.rfid_count}"

        def decided(result):
            info = result.id_token_info if self.v201 else result.id_tag_info
            if info.get("status") == "Accepted":
                self.charge(id_tag, remote=False)
            else:
                self.soak.count("RFID swipes refused")
        self.soak.count("RFID swipes")
        if self.v201:
            self.enqueue("Authorize", lambda: v201.call.Authorize(id_token={"id_token": id_tag, "type": "ISO14443"}), decided)
        else:
            self.enqueue("Authorize", lambda: call.Authorize(id_tag=id_tag), decided)

    # -- the connection, reconnected whenever it drops: with several instances, to the next one
    #    that is up (with one, to the same one again)
    async def run(self):
        self.soak.loop.create_task(self.sender())
        while not self.soak.finished:
            server = self.soak.servers[self.target]
            try:
                socket_ = await websockets.connect(
                    f"ws://127.0.0.1:{server.port}/ocpp/{self.id}", subprotocols=["ocpp2.0.1" if self.v201 else "ocpp1.6"],
                    compression=None, open_timeout=5, ping_interval=None)
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, websockets.InvalidStatus):
                self.target = self.soak.next_server(self.target)
                await asyncio.sleep(random.uniform(0.3, 1.0))
                continue
            connection = (SoakStation if self.v201 else SoakConnection)(self, socket_)
            self.connection = connection
            self.soak.count("charger connections")
            if self.connected_to is not None and self.connected_to != server.index:
                self.soak.count("charger connections moved to another instance")
            self.connected_to = server.index
            self.connections.append((server.index, len(server.instances)))
            reader = self.soak.loop.create_task(connection.start())
            try:
                await connection.boot(self)
                self.connected.set()
                await reader
            except (websockets.ConnectionClosed, asyncio.TimeoutError, OCPPError, ConnectionError):
                pass
            finally:
                self.connected.clear()
                connection.closed.set()
                reader.cancel()
                await socket_.close()
            self.target = self.soak.next_server(self.target)
            await asyncio.sleep(random.uniform(0.2, 1.0))

    async def drop(self):
        if self.connection and self.connected.is_set():
            self.soak.count("charger connections dropped on purpose")
            await self.connection.connection_.close()


class SoakLink:
    """What one WebSocket of a Charger does whatever its OCPP version."""

    def __init__(self, charger, socket_):
        super().__init__(charger.id, socket_, response_timeout=10)
        self.charger = charger
        self.connection_ = socket_
        self.closed = asyncio.Event()

    async def send_call(self, payload):
        """A CALL with suppress=False (a CALLERROR raises), abandoned if the socket closes first."""
        request = asyncio.ensure_future(self.call(payload, suppress=False))
        closed = asyncio.ensure_future(self.closed.wait())
        done, _ = await asyncio.wait({request, closed}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if request in done:
            return request.result()
        request.cancel()
        raise ConnectionError("connection closed before the answer")

    async def start(self):
        try:
            await super().start()
        finally:
            self.closed.set()

    async def route_message(self, raw):
        message = unpack(raw)
        if message.message_type_id == MessageType.Call and message.action in ("RemoteStartTransaction", "RequestStartTransaction"):
            if random.random() < 0.05:
                self.charger.soak.count("remote starts never answered (silent charger)")
                return
        await super().route_message(raw)

    def accepts_start(self, id_tag, remote_start_id=None):
        if random.random() < 0.05 or not self.charger.charge(id_tag, remote=True, remote_start_id=remote_start_id):
            self.charger.soak.count("remote starts rejected by the charger")
            return False
        return True


class SoakConnection(SoakLink, ChargePoint):
    """OCPP 1.6J: answers the central system's CALLs."""

    async def boot(self, charger):
        await self.send_call(call.BootNotification(charge_point_vendor="Soak", charge_point_model="Sim-50"))
        await self.send_call(call.StatusNotification(
            connector_id=1, error_code="NoError", status="Charging" if charger.session else "Available", timestamp=now_iso()))

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag, **_):
        return call_result.RemoteStartTransaction(status="Accepted" if self.accepts_start(id_tag) else "Rejected")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id, **_):
        session = self.charger.session
        if session is None or session.transaction_id != transaction_id:
            return call_result.RemoteStopTransaction(status="Rejected")
        session.stop_requested = True
        return call_result.RemoteStopTransaction(status="Accepted")


class SoakStation(SoakLink, v201.ChargePoint):
    """OCPP 2.0.1: answers the central system's CALLs."""

    async def boot(self, charger):
        await self.send_call(v201.call.BootNotification(
            reason="PowerUp", charging_station={"vendor_name": "Soak", "model": "Sim-201"}))
        await self.send_call(v201.call.StatusNotification(
            timestamp=now_iso(), connector_status="Occupied" if charger.session else "Available", evse_id=1, connector_id=1))

    @on("RequestStartTransaction")
    def on_request_start(self, id_token, remote_start_id, **_):
        accepted = self.accepts_start(id_token["id_token"], remote_start_id)
        return v201.call_result.RequestStartTransaction(status="Accepted" if accepted else "Rejected")

    @on("RequestStopTransaction")
    def on_request_stop(self, transaction_id, **_):
        session = self.charger.session
        if session is None or session.transaction_id != transaction_id:
            return v201.call_result.RequestStopTransaction(status="Rejected")
        session.stop_requested = True
        return v201.call_result.RequestStopTransaction(status="Accepted")


# ---------------------------------------------------------------------------------------------
# The run

class Soak:
    def __init__(self, args):
        self.args = args
        self.workdir = args.workdir or tempfile.mkdtemp(prefix="chargeledger-soak-")
        os.makedirs(self.workdir, exist_ok=True)
        self.iop = IOP(free_port())
        self.locations = os.path.join(self.workdir, "locations.json")
        self.chargers = [Charger(self, f"SOAK-CP-{n:02d}", f"SOAK-EVSE-{n:02d}", v201=args.v201_every > 0 and n % args.v201_every == args.v201_every - 1)
                         for n in range(args.chargers)]
        self.write_locations()
        self.db = args.db or os.path.join(self.workdir, "ledger.sqlite")
        self.multi = args.instances > 1
        self.servers = [Server(args.ledger, self.workdir, free_port(), self.iop.port, self.locations, self.db, index, self.multi)
                        for index in range(args.instances)]
        self.server = self.servers[0]
        for index, charger in enumerate(self.chargers):
            charger.target = index % len(self.servers)
        self.drain_problems = []         # what the drain found wrong without failing the run
        self.answered_by = Counter()     # (server index, its run) -> commands it answered
        self.posted_elsewhere = 0        # commands re-posted to another instance after connection refused
        self.moved_at_kill = None        # chargers on the killed instance then: charger -> its connections so far
        self.counts = Counter()
        self.acked = defaultdict(list)   # charger CALLs answered by the server: action -> [...]
        self.answers = []                # (command, response_url, http status, status_code, result) of commands answered
        self.finished = False
        self.stop_load = False
        self.loop = None

    def count(self, what, n=1):
        self.counts[what] += n

    def write_locations(self):
        locations = []
        for index in range(0, len(self.chargers), 5):
            group = self.chargers[index:index + 5]
            locations.append({
                "id": f"SOAK-LOC-{index // 5:02d}", "type": "ON_STREET", "name": "Soak", "address": "1 Rue Soak",
                "city": "Paris", "postal_code": "75001", "country": "FRA", "time_zone": "Europe/Paris",
                "coordinates": {"latitude": "48.850000", "longitude": "2.350000"},
                "operator": {"name": "Soak Charge"}, "owner": {"name": "Soak Charge"},
                "evses": [{
                    "uid": charger.evse_uid, "evse_id": f"FR*ABC*E{charger.evse_uid[-2:]}", "status": "AVAILABLE",
                    "capabilities": ["REMOTE_START_STOP_CAPABLE", "RFID_READER"],
                    "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                                    "voltage": 230, "amperage": 32, "tariff_id": "TARIFF-AC-22",
                                    "last_updated": "2024-01-15T10:00:00Z"}],
                    "last_updated": "2024-01-15T10:00:00Z",
                    "ocpp": {"charge_point_id": charger.id, "connector_id": 1}} for charger in group],
                "last_updated": "2024-01-15T10:00:00Z"})
        with open(self.locations, "w") as f:
            json.dump(locations, f)

    def location_of(self, charger):
        return f"SOAK-LOC-{self.chargers.index(charger) // 5:02d}"

    def next_server(self, index):
        """The instance a charger tries after `index`: the next one that is up (`index` itself when
        it is the only one; the next one anyway when none is up)."""
        n = len(self.servers)
        for step in range(1, n + 1):
            candidate = (index + step) % n
            if self.servers[candidate].up:
                return candidate
        return (index + 1) % n

    def post_order(self):
        """Where the IOP stand-in posts a command: the one server; or the live instances, in random order."""
        if not self.multi:
            return [self.server]
        live = [server for server in self.servers if server.up] or list(self.servers)
        return random.sample(live, len(live))

    # -- the IOP's side: commands
    def post(self, command, body, servers):
        for attempt, server in enumerate(servers):
            run = len(server.instances)
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/ocpi/cpo/2.1.1/commands/{command}", data=json.dumps(body).encode(),
                headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, text = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read()
            except (OSError, urllib.error.URLError) as error:
                refused = isinstance(getattr(error, "reason", error), ConnectionRefusedError)
                if refused and attempt + 1 < len(servers):  # never reached it: nothing recorded, try another
                    self.count("commands re-posted to another instance (connection refused)")
                    with self.iop.lock:
                        self.posted_elsewhere += 1
                    continue
                self.count("commands not answered (server down)")
                return
            break
        with self.iop.lock:
            self.answered_by[(server.index, run)] += 1
        envelope = json.loads(text)
        result = (envelope.get("data") or {}).get("result")
        self.answers.append((command, body["response_url"], status, envelope.get("status_code"), result))
        self.count(f"commands answered {command} {result or envelope.get('status_code')}")

    async def drive(self, worker):
        iop = f"http://127.0.0.1:{self.iop.port}/ocpi/emsp/2.1.1"
        while not self.stop_load:
            await asyncio.sleep(random.uniform(0.1, 0.5))
            with self.iop.lock:
                active = list(self.iop.active_sessions)
            if active and random.random() < 0.35:
                command = "STOP_SESSION"
                body = {"response_url": f"{iop}/commands/STOP_SESSION/{uuid.uuid4()}", "session_id": random.choice(active)}
            else:
                idle = [c for c in self.chargers if c.session is None and c.connected.is_set()] or self.chargers
                charger = random.choice(idle)
                command = "START_SESSION"
                body = {"response_url": f"{iop}/commands/START_SESSION/{uuid.uuid4()}",
                        "token": {"uid": f"APP-{worker}-{random.randint(1, 10**6)}", "type": "OTHER", "auth_id": "FR*XYZ*C0012345*6",
                                  "issuer": "FR*XYZ", "valid": True, "whitelist": "ALWAYS", "last_updated": "2024-02-01T08:00:00Z"},
                        "authorization_id": str(uuid.uuid4()), "location_id": self.location_of(charger), "evse_uid": charger.evse_uid}
            await asyncio.to_thread(self.post, command, body, self.post_order())

    async def swipes(self):
        while not self.stop_load:
            await asyncio.sleep(random.uniform(0.5, 1.5))
            charger = random.choice(self.chargers)
            if charger.session is None and charger.connected.is_set():
                charger.swipe()

    async def drops(self):
        while not self.stop_load:
            await asyncio.sleep(random.uniform(1.0, 4.0))
            await random.choice(self.chargers).drop()

    async def faults(self, began):
        """Two IOP outages and two kill -9 restarts, at fixed fractions of the run. With several
        instances: the two IOP outages, and one kill -9 of instance 0 (restarted later)."""
        duration = self.args.seconds
        plan = [(0.15, "iop down"), (0.25, "iop up"), (0.35, "kill"), (0.55, "iop down"), (0.65, "iop up"), (0.75, "kill")]
        if self.multi:
            # Instance 0 is killed well inside an IOP outage: whatever delivery attempt it had in
            # flight is refused, so it cannot have had a result or CDR accepted by the IOP but not
            # yet recorded (the one case a kill -9 makes at-least-once). So here every result and
            # CDR must reach the IOP exactly once. "Well inside": an attempt the IOP answered just
            # before it went down must have been recorded by the kill — a fifth of the run later
            # (4 s of a 20 s run; a run with the whole suite beside it once took over 1 s).
            plan = [(0.10, "iop down"), (0.30, "kill 0"), (0.40, "iop up"), (0.55, "restart 0"), (0.65, "iop down"), (0.75, "iop up")]
        for at, what in plan:
            await asyncio.sleep(max(0, began + at * duration - time.monotonic()))
            if what == "kill":
                await self.server.kill9()
                await self.server.start()
            elif what == "kill 0":
                self.moved_at_kill = {c: len(c.connections) for c in self.chargers if c.connected.is_set() and c.connected_to == 0}
                await self.servers[0].kill9()
                log(f"{len(self.moved_at_kill)} chargers were connected to server 0")
            elif what == "restart 0":
                await self.servers[0].start()
            elif what == "iop down":
                await asyncio.to_thread(self.iop.down)
                log("IOP down")
            else:
                self.iop.up()
                log("IOP up")

    async def wait_for(self, what, predicate, seconds, status=None):
        """Waits until `predicate`; with `status`, logs what it still waits for every 10 s."""
        began = time.monotonic()
        deadline = began + seconds
        logged = began
        while not await predicate():
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up waiting for {what} after {seconds} s" + (f" ({await status()})" if status else ""))
            if status and time.monotonic() - logged >= 10:
                logged = time.monotonic()
                log(f"waiting {logged - began:.0f} s for {what}: {await status()}")
            await asyncio.sleep(0.5)
        if status:
            log(f"{what} after {time.monotonic() - began:.0f} s")

    # -- several instances: what each live one's /metrics says, and the leases in the database

    async def scrape(self, server):
        def read():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as response:
                    return response.read().decode()
            except OSError:
                return None
        return await asyncio.to_thread(read)

    @staticmethod
    def gauge(text, name, label=None):
        return sum(float(line.split()[-1]) for line in text.splitlines()
                   if (line.startswith(name + " ") or line.startswith(name + "{")) and (label is None or label in line))

    async def live_metrics(self):
        """server index -> /metrics text (None when it does not answer), for every instance up."""
        return {server.index: await self.scrape(server) for server in self.servers if server.up}

    async def settled_everywhere(self):
        """Every live instance sees an empty outbox (nothing pending, nothing parked) and no command
        still waiting for its charger (dispatched, neither answered nor timed out)."""
        texts = await self.live_metrics()
        return bool(texts) and all(text is not None and self.gauge(text, "ledger_outbox_depth") == 0
                                   and self.gauge(text, "ledger_deliveries_parked") == 0
                                   and self.gauge(text, "ledger_commands", DISPATCHED) == 0 for text in texts.values())

    async def all_connected_in_ledger(self):
        texts = await self.live_metrics()
        return bool(texts) and all(text is not None and self.gauge(text, "ledger_chargers_connected") == len(self.chargers)
                                   for text in texts.values())

    def instance_name(self, instance_id):
        for server in self.servers:
            for run, known in enumerate(server.instance_ids(), 1):
                if known == instance_id:
                    return f"server {server.index} run {run}"
        return (instance_id or "?")[:8]

    async def drain_status(self):
        parts = []
        for index, text in (await self.live_metrics()).items():
            if text is None:
                parts.append(f"server {index}: no /metrics")
                continue
            parts.append(f"server {index}: outbox {self.gauge(text, 'ledger_outbox_depth'):.0f} "
                         f"(oldest {self.gauge(text, 'ledger_outbox_oldest_pending_seconds'):.0f} s), "
                         f"parked {self.gauge(text, 'ledger_deliveries_parked'):.0f}, "
                         f"dispatched {self.gauge(text, 'ledger_commands', DISPATCHED):.0f}, "
                         f"chargers connected {self.gauge(text, 'ledger_chargers_connected'):.0f}")
        busy = sum(1 for c in self.chargers if not (c.idle.is_set() and c.session is None))
        parts.append(f"{busy} chargers busy, {sum(1 for c in self.chargers if not c.connected.is_set())} not connected")
        if shutil.which("psql") and self.db.startswith("postgres"):
            def leases():
                sql = ("SELECT 'lease ' || lane || ' held by ' || instance || ' for ' || (until_ms - (extract(epoch FROM now()) * 1000)::bigint) / 1000 || ' s' FROM lane_leases "
                       "UNION ALL SELECT 'instance ' || instance || ' alive for ' || (until_ms - (extract(epoch FROM now()) * 1000)::bigint) / 1000 || ' s' FROM ledger_instances")
                done = subprocess.run(["psql", self.db, "-At", "-c", sql], capture_output=True, text=True, timeout=10)
                return done.stdout.splitlines() if done.returncode == 0 else [f"psql: {done.stderr.strip()[:200]}"]
            try:
                lines = await asyncio.to_thread(leases)
            except (OSError, subprocess.SubprocessError) as error:
                lines = [f"psql: {error}"]
            for line in lines:
                parts.append(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", lambda m: self.instance_name(m.group(0)), line))
        return "; ".join(parts)

    async def outbox_depth(self):
        def read():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.server.port}/metrics", timeout=10) as response:
                    text = response.read().decode()
            except OSError:
                return None
            return sum(float(line.split()[-1]) for line in text.splitlines()
                       if line.startswith("ledger_outbox_depth") or line.startswith("ledger_deliveries_parked"))
        return await asyncio.to_thread(read)

    async def run(self):
        self.loop = asyncio.get_running_loop()
        self.iop.up()
        for server in self.servers:  # one after the other: the first one migrates the database
            await server.start()
        for charger in self.chargers:
            self.loop.create_task(charger.run())
        await self.wait_for("every charger connected", self.all_connected, 60)
        log(f"{len(self.chargers)} chargers connected; load for {self.args.seconds} s")
        began = time.monotonic()
        load = [self.loop.create_task(t) for t in [self.drive(1), self.drive(2), self.drive(3), self.swipes(), self.drops()]]
        await self.faults(began)
        await asyncio.sleep(max(0, began + self.args.seconds - time.monotonic()))
        self.stop_load = True
        await asyncio.gather(*load)
        log("load stopped; draining")
        for charger in self.chargers:
            if charger.session:
                charger.session.stop_requested = True
        if not self.multi:
            await self.wait_for("every charger's CALLs answered", self.chargers_idle, 120)
            await asyncio.sleep(COMMAND_TIMEOUT + 1)  # the last commands' deadlines pass
            await self.wait_for("an empty outbox", self.outbox_empty, 180)
            self.finished = True
            await self.server.terminate()
            log("server stopped")
            return
        # Several instances: a lane whose attempt was in flight in the killed instance stays
        # leased to it for up to 60 s, and its chargers are recorded disconnected only once its
        # 30 s heartbeat lease lapses (then the next 10 s beat): 120 s more for each wait.
        await self.wait_for("every charger's CALLs answered", self.chargers_idle, 120 + 120, self.drain_status)
        await asyncio.sleep(COMMAND_TIMEOUT + 1)  # the last commands' deadlines pass
        await self.wait_for("an empty outbox and no command waiting for its charger, on every instance",
                            self.settled_everywhere, 180 + 120, self.drain_status)
        # Before the servers stop (which ends every connection): the ledger sees the charger
        # connections the soak holds - those left open by the killed instance ended, those moved
        # to another instance not ended by the end of the previous one.
        try:
            await self.wait_for("the ledger seeing every charger connected", self.all_connected_in_ledger, 60, self.drain_status)
        except RuntimeError as error:
            self.drain_problems.append(str(error))
        self.finished = True
        for server in self.servers:
            if server.up:
                await server.terminate()
        log("servers stopped")

    async def all_connected(self):
        return all(c.connected.is_set() for c in self.chargers)

    async def chargers_idle(self):
        return all(c.idle.is_set() and c.session is None for c in self.chargers)

    async def outbox_empty(self):
        return await self.outbox_depth() == 0


# ---------------------------------------------------------------------------------------------
# The checks, on the ledger itself

def ledger_events(soak):
    output = subprocess.run([soak.args.ledger, "events", "--db", soak.db, "--after", "0"],
                            capture_output=True, check=True, text=True).stdout
    return [json.loads(line) for line in output.splitlines() if line]


def check(soak):
    problems = []
    for command in ("verify", "replay"):
        done = subprocess.run([soak.args.ledger, command, "--db", soak.db], capture_output=True, text=True)
        if done.returncode != 0:
            problems.append(f"ledger {command} exit {done.returncode}: {(done.stdout + done.stderr)[-2000:]}")
    events = ledger_events(soak)
    by_type = defaultdict(list)
    for event in events:
        by_type[event["type"]].append(event["data"])

    received = {e["response_url"]: e["command_id"] for e in by_type["CommandReceived"] if e.get("response_url")}
    answered = {e["command_id"]: e for e in by_type["CommandAnswered"]}
    results_queued = Counter(e["command_id"] for e in by_type["CommandResultQueued"])
    scheduled = {e["delivery_id"]: e for e in by_type["DeliveryScheduled"]}
    succeeded = Counter(e["delivery_id"] for e in by_type["DeliverySucceeded"])
    sessions = {e["transaction_id"]: e["session_id"] for e in by_type["SessionStarted"]}
    ended = {e["session_id"] for e in by_type["SessionEnded"]}
    cdrs = Counter(e["session_id"] for e in by_type["CdrIssued"])
    cdr_ids = {e["session_id"]: e["cdr_id"] for e in by_type["CdrIssued"]}
    meters = {(e["session_id"], e["meter_wh"]) for e in by_type["MeterValuesRecorded"]}
    at_iop = Counter()
    for method, path, body in soak.iop.received_where(lambda r: True):
        if "/commands/" in path:
            at_iop[("result", path, (body or {}).get("result"))] += 1
        elif path.endswith("/cdrs"):
            at_iop[("cdr", (body or {}).get("id"))] += 1

    # Every command answered synchronously is recorded, with the answer the IOP got.
    for command, url, status, code, result in soak.answers:
        command_id = received.get(url)
        if command_id is None:
            problems.append(f"{command} answered {status}/{code}/{result} is not in the ledger ({url})")
        elif answered.get(command_id, {}).get("result") != result:
            problems.append(f"{command} {command_id}: the IOP got {result}, the ledger says {answered.get(command_id)}")
    # Every ACCEPTED command: exactly one async result, delivered.
    duplicates = 0
    for command_id, answer in answered.items():
        if answer.get("result") != "ACCEPTED":
            continue
        if results_queued[command_id] != 1:
            problems.append(f"command {command_id} ACCEPTED has {results_queued[command_id]} async results")
        deliveries = [d for d, e in scheduled.items() if e.get("command_id") == command_id and e["kind"] == "command_result"]
        for delivery in deliveries:
            if succeeded[delivery] != 1:
                problems.append(f"result {delivery} delivered {succeeded[delivery]} times in the ledger")
            url = scheduled[delivery]["url"].split("127.0.0.1")[-1].split(":", 1)[-1]
            path = url[url.index("/"):]
            got = at_iop[("result", path, json.loads(scheduled[delivery]["body"])["result"])]
            if got == 0:
                problems.append(f"result {delivery} never reached the IOP")
            duplicates += max(0, got - 1)
    # Every charger CALL the server answered is in the ledger.
    for charger_id, transaction in soak.acked["StartTransaction"]:
        if transaction not in sessions:
            problems.append(f"StartTransaction of {charger_id} answered with transaction {transaction}: no SessionStarted")
    for transaction, value in soak.acked["MeterValues"]:
        if (sessions.get(transaction), value) not in meters:
            problems.append(f"MeterValues {value} Wh of transaction {transaction} answered but not recorded")
    for transaction in soak.acked["StopTransaction"]:
        if sessions.get(transaction) not in ended:
            problems.append(f"StopTransaction of transaction {transaction} answered but the session did not end")
    # Every ended session: exactly one CDR, delivered.
    cdr_duplicates = 0
    for session in ended:
        if cdrs[session] != 1:
            problems.append(f"session {session} ended with {cdrs[session]} CDRs")
            continue
        got = at_iop[("cdr", cdr_ids[session])]
        if got == 0:
            problems.append(f"the CDR of session {session} never reached the IOP")
        cdr_duplicates += max(0, got - 1)
    # OCPP 2.0.1 stations prove their remote starts: each one's session is bound by remoteStartId.
    stations = {c.id for c in soak.chargers if c.v201}
    station_sessions = {e["session_id"] for e in by_type["SessionStarted"] if e["charge_point_id"] in stations}
    proved = {e["session_id"] for e in by_type["AuthorizationBound"] if "remote_start_id" in e.get("matched_on", [])}
    if soak.counts["sessions started by remote start (OCPP 2.0.1)"] and not proved & station_sessions:
        problems.append("OCPP 2.0.1 stations started sessions by remote start, and none was bound by remote_start_id")
    if proved - station_sessions:
        problems.append(f"sessions of 1.6 chargers bound by remote_start_id: {sorted(proved - station_sessions)[:3]}")
    # A StartTransaction resent after a lost answer is the same transaction: every session ends.
    never_ended = [session for session in sessions.values() if session not in ended]
    if never_ended:
        problems.append(f"{len(never_ended)} sessions never ended (a resent StartTransaction opened a second one?), e.g. {never_ended[:3]}")
    pending = [d for d in scheduled if succeeded[d] == 0]
    if pending:
        problems.append(f"{len(pending)} deliveries never succeeded, e.g. {pending[:3]}")

    # Resources: bounded, and no steady growth within a server's life (each process on its own).
    resources = []
    for server in soak.servers:
        for index, samples in enumerate(server.instances, 1):
            if not samples:
                continue
            name = f"server {server.index} run {index}" if soak.multi else f"server {index}"
            peak_rss = max(s[1] for s in samples) // 1024
            peak_fds = max(s[2] for s in samples)
            quarter = max(1, len(samples) // 4)
            early = sum(s[1] for s in samples[quarter:2 * quarter]) / max(1, len(samples[quarter:2 * quarter]))
            late = sum(s[1] for s in samples[-quarter:]) / quarter
            resources.append(({"server": server.index, "run": index} if soak.multi else {"instance": index}) | {
                "seconds": round(samples[-1][0]), "peak_rss_mb": peak_rss, "peak_fds": peak_fds,
                "rss_mb_second_quarter": round(early / 1024), "rss_mb_last_quarter": round(late / 1024)})
            if peak_rss > soak.args.max_rss_mb:
                problems.append(f"{name}: RSS peaked at {peak_rss} MB (limit {soak.args.max_rss_mb})")
            if peak_fds > len(soak.chargers) + 100:
                problems.append(f"{name}: {peak_fds} open descriptors for {len(soak.chargers)} chargers")
            if samples[-1][0] >= 60 and late > early * 1.5 + 30 * 1024:
                problems.append(f"{name}: RSS grew from {early / 1024:.0f} MB to {late / 1024:.0f} MB while it ran")

    # Several instances: each result and CDR exactly once (no kill -9 could make it at-least-once:
    # see Soak.faults); every instance answered commands; some CALLs went through another instance.
    dispatched = by_type["CommandDispatched"]
    via = Counter(e["via"] for e in dispatched if e.get("via"))
    per_instance = []
    for server in soak.servers:
        ids = server.instance_ids()
        for run in range(1, len(server.instances) + 1):
            instance = ids[run - 1] if run - 1 < len(ids) else None
            calls_for_others = 0
            try:
                with open(server.logs[run - 1]) as f:
                    calls_for_others = sum(1 for line in f if "sent for another instance" in line)
            except (OSError, IndexError):
                pass
            per_instance.append({"server": server.index, "run": run, "instance": instance,
                                 "commands_answered": soak.answered_by[(server.index, run)],
                                 "calls_dispatched_via_it": via.get(instance, 0), "calls_it_sent_for_another": calls_for_others,
                                 "charger_connections": sum(1 for c in soak.chargers for i in c.connections if i == (server.index, run))})
    moved = None
    if soak.moved_at_kill is not None:
        moved = sum(1 for c, before in soak.moved_at_kill.items() if any(i != 0 for i, _ in c.connections[before:]))
    if soak.multi:
        # In the ledger too: one success recorded per delivery (two mean two instances sent it).
        positions = defaultdict(list)
        for event in events:
            if event["type"] == "DeliverySucceeded":
                positions[event["data"]["delivery_id"]].append(event["position"])
        for delivery, at in positions.items():
            if len(at) > 1:
                problems.append(f"delivery {delivery} recorded succeeded {len(at)} times (positions {at})")
        if duplicates or cdr_duplicates:
            problems.append(f"duplicates at the IOP with {len(soak.servers)} instances: {duplicates} results, {cdr_duplicates} CDRs "
                            "(the kill was made while the IOP was down: each must arrive exactly once)")
        for server in soak.servers:
            if not any(soak.answered_by[(server.index, run)] for run in range(1, len(server.instances) + 1)):
                problems.append(f"server {server.index} answered no command")
        if not via:
            problems.append(f"no CALL went through another instance ({len(dispatched)} CommandDispatched, none with via)")
        known = {i for server in soak.servers for i in server.instance_ids()}
        for instance, count in via.items():
            if instance not in known:
                problems.append(f"{count} CommandDispatched via {instance}, not an instance of this run")
        if moved is not None and soak.moved_at_kill and moved < len(soak.moved_at_kill):
            problems.append(f"of the {len(soak.moved_at_kill)} chargers on server 0 at its kill only {moved} connected to another instance")
        problems.extend(soak.drain_problems)

    attempts = by_type["DeliveryAttempted"]
    summary = {
        "seconds": soak.args.seconds, "chargers": len(soak.chargers), "events": len(events),
        "commands_answered": len(soak.answers),
        "commands_accepted": sum(1 for a in soak.answers if a[4] == "ACCEPTED"),
        "async_results": sum(results_queued.values()),
        "timeouts": len(by_type["CommandTimedOut"]), "late_answers": len(by_type["LateChargerResponse"]),
        "sessions": len(sessions), "sessions_ended": len(ended), "cdrs": sum(cdrs.values()),
        "ocpp201_stations": len(stations), "ocpp201_sessions": len(station_sessions),
        "ocpp201_bound_by_remote_start_id": len(proved & station_sessions),
        "sessions_never_ended": len(sessions) - len(ended),
        "anomalies": dict(Counter(e["reason"].split(",")[0] for e in by_type["TransactionAnomaly"])),
        "meter_values_acknowledged": len(soak.acked["MeterValues"]),
        "deliveries": len(scheduled), "delivery_attempts": len(attempts),
        "delivery_attempts_failed": sum(1 for a in attempts if a.get("error")),
        "faults": {"kill_9": sum(server.kills for server in soak.servers), "iop_outages": soak.iop.outages,
                   "charger_drops": soak.counts["charger connections dropped on purpose"]},
        "restarts": sum(len(server.instances) - 1 for server in soak.servers),
        "duplicates_at_iop": {"results": duplicates, "cdrs": cdr_duplicates},
        "instances": len(soak.servers),
        "commands_per_instance": {f"{p['server']}.{p['run']}": p["commands_answered"] for p in per_instance},
        "commands_posted_elsewhere_after_refusal": soak.posted_elsewhere,
        "dispatched_via_another_instance": sum(via.values()),
        "chargers_on_killed_instance": len(soak.moved_at_kill) if soak.moved_at_kill is not None else None,
        "chargers_moved": moved,
        "charger_connections_moved": soak.counts["charger connections moved to another instance"],
        "per_instance": per_instance if soak.multi else None,
        "lost": len(problems), "resources": resources, "counts": dict(sorted(soak.counts.items())),
        "problems": problems[:50],
    }
    return problems, summary


def exit_with_parent():
    """LEDGER_EXIT_WITH_PARENT (set by the test harness): end when the parent does, even if it was killed."""
    parent = os.getppid() if "LEDGER_EXIT_WITH_PARENT" in os.environ else 0
    while parent and os.getppid() == parent:
        time.sleep(0.2)
    if parent:
        os._exit(1)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledger", required=True, help="the ledger executable")
    parser.add_argument("--seconds", type=float, default=120, help="how long the load runs (then it drains and checks)")
    parser.add_argument("--chargers", type=int, default=50)
    parser.add_argument("--v201-every", type=int, default=5, help="every Nth charger is an OCPP 2.0.1 station (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-rss-mb", type=int, default=400)
    parser.add_argument("--workdir", help="where the ledger and the server logs go (default: a new temporary directory)")
    parser.add_argument("--db", help="the ledger: a PostgreSQL URL (postgres://user:password@host:5432/database, an empty "
                                     "database); default: ledger.sqlite in the work directory")
    parser.add_argument("--instances", type=int, default=1, help="`ledger serve` instances on the ledger (2 or more: PostgreSQL only)")
    args = parser.parse_args()
    if args.instances < 1:
        parser.error("--instances must be at least 1")
    if args.instances > 1 and not (args.db or "").startswith(("postgres://", "postgresql://")):
        parser.error("--instances 2 or more needs a PostgreSQL --db: a SQLite ledger has one server at a time")
    random.seed(args.seed)
    soak = Soak(args)
    log(f"work directory {soak.workdir}")
    try:
        asyncio.run(soak.run())
    except Exception as error:  # the run itself failed: still check what the ledger holds
        log(f"run failed: {type(error).__name__}: {error}")
        for server in soak.servers:
            if server.process and server.process.returncode is None:
                os.kill(server.process.pid, signal.SIGKILL)
        problems, summary = check(soak)
        problems.insert(0, f"the run failed: {error}")
        summary["problems"].insert(0, problems[0])
    else:
        problems, summary = check(soak)
    with open(os.path.join(soak.workdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(soak.workdir, "iop-received.ndjson"), "w") as f:  # what reached the IOP, when
        for arrival in soak.iop.arrivals:
            f.write(json.dumps(arrival) + "\n")
    for problem in problems[:50]:
        log(f"PROBLEM: {problem}")
    print(json.dumps(summary), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
