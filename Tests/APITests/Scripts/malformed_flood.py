#!/usr/bin/env python3
"""Opens COUNT connections to 127.0.0.1:PORT (at most WIDTH at once), each sending one request the
HTTP parser cannot read, and checks each is answered 400 or 431 and then closed by the server.

Usage: malformed_flood.py PORT COUNT [WIDTH]
stdout: one JSON object: {"sent": n, "answered": {"400": n, "431": n, "reset": n}, "closed": n, "problems": [...]}
("reset": the server answered and closed with a large request still unread, so TCP reset the connection.)
Bounded: every socket has a 10 s timeout; the run stops after COUNT connections.
"""
import asyncio
import json
import sys

REQUESTS = [
    b"\x00\x01\x02\x03\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"GET /health HTTP/1.1\r\nX: " + b"a" * 100_000 + b"\r\n\r\n",
    b"GET /health HTTP/1.1\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(10_000)) + b"\r\n",
    b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n",
]


async def one(port, index, results):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
    except (OSError, asyncio.TimeoutError) as error:
        results["problems"].append(f"connect {index}: {error}")
        return
    try:
        writer.write(REQUESTS[index % len(REQUESTS)])
        try:
            await writer.drain()
        except ConnectionError:
            pass  # the server may answer and close before it has read a large request whole
        answer = await asyncio.wait_for(reader.read(), 10)  # until the server closes
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1 ") else "none"
        results["answered"][status] = results["answered"].get(status, 0) + 1
        results["closed"] += 1
    except asyncio.TimeoutError:
        results["problems"].append(f"request {index % len(REQUESTS)}: not answered and closed within 10 s")
    except ConnectionResetError:
        # The server answered and closed with the rest of a large request unread: TCP resets, and
        # the answer may be lost with it. Closed all the same, which is what matters.
        results["answered"]["reset"] = results["answered"].get("reset", 0) + 1
        results["closed"] += 1
    except ConnectionError as error:
        results["problems"].append(f"request {index % len(REQUESTS)}: {error}")
    finally:
        writer.close()
    results["sent"] += 1


async def main(port, count, width):
    results = {"sent": 0, "answered": {}, "closed": 0, "problems": []}
    for start in range(0, count, width):
        await asyncio.gather(*(one(port, index, results) for index in range(start, min(count, start + width))))
    results["problems"] = results["problems"][:20]
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 200))
