#!/usr/bin/env python3
"""A TCP proxy on loopback that can go silent: a database server that stops answering mid-run.

    python3 silent_proxy.py TARGET_PORT

Prints the port it listens on, then forwards every connection to 127.0.0.1:TARGET_PORT. A line
"silence" on stdin makes it stop passing bytes either way (connections stay open, nothing is
answered, as a hung server or a cut network looks); "silence after lock" does so right after the
next client message that takes an advisory lock has reached the server (a client cut off inside
its transaction, the lock held); "flow" resumes. Each is acknowledged with a line ("silent",
"armed", "flowing") once it is in force.
"""
import asyncio
import sys

silent = asyncio.Event()  # set: hold everything
armed = asyncio.Event()   # set: go silent after the next lock taken
LOCK = b"pg_advisory_xact_lock"


async def pipe(reader, writer, from_client):
    try:
        while data := await reader.read(65536):
            while silent.is_set():
                await asyncio.sleep(0.05)
            writer.write(data)
            await writer.drain()
            if from_client and armed.is_set() and LOCK in data:
                armed.clear()
                silent.set()
                print("silent", flush=True)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]))
    asyncio.create_task(pipe(client_reader, server_writer, True))
    asyncio.create_task(pipe(server_reader, client_writer, False))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "silence":
            silent.set()
            print("silent", flush=True)
        elif line.strip() == "silence after lock":
            armed.set()
            print("armed", flush=True)
        else:
            silent.clear()
            print("flowing", flush=True)


asyncio.run(main())
