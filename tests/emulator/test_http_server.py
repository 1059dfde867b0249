"""The HTTP server under what real networks do: bodies cut short, chunked bodies, handlers that
fail, and fast shutdown. Raw HTTP where the malformed request is the point."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from gkeplan_emulator import Emulator
from gkeplan_emulator.calls import Request, Response, route
from gkeplan_emulator.clientfactory import ClientFactory
from gkeplan_emulator.server import ServerThread

P = "demo-project"


def _hostport(emulator: Emulator) -> tuple[str, int]:
    url = urlsplit(emulator.endpoints.http)
    assert url.hostname and url.port
    return url.hostname, url.port


def _status_line(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split(b" ")[1]), rest


def test_a_body_shorter_than_its_content_length_is_refused_before_the_handler(
    emulator: Emulator, clients: ClientFactory
) -> None:
    projects = clients.projects()
    before = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    token = emulator.issue_token(emulator.config.applier)
    partial = b'{"policy": {"bindings": ['
    head = (
        f"POST /v3/projects/{P}:setIamPolicy HTTP/1.1\r\n"
        f"Host: {emulator.endpoints.http[7:]}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 500\r\n\r\n"
    ).encode()
    with socket.create_connection(_hostport(emulator)) as sock:
        sock.sendall(head + partial)
        sock.shutdown(socket.SHUT_WR)  # the client dies mid-send
        status, body = _status_line(sock)
    assert status == 400
    assert json.loads(body)["error"]["status"] == "INVALID_ARGUMENT"
    after = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    assert after.bindings == before.bindings and after.bindings


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), 1000):
        yield data[i : i + 1000]


def test_a_chunked_upload_stores_every_byte(emulator: Emulator, clients: ClientFactory) -> None:
    gcs = clients.storage()
    gcs.create_bucket("chunky")
    data = bytes(range(256)) * 40
    token = emulator.issue_token(emulator.config.applier)
    conn = http.client.HTTPConnection(*_hostport(emulator), timeout=10)
    conn.request(
        "POST",
        "/upload/storage/v1/b/chunky/o?uploadType=media&name=blob.bin",
        body=_chunks(data),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
        encode_chunked=True,
    )
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    assert json.loads(resp.read())["size"] == str(len(data))
    conn.close()
    assert gcs.bucket("chunky").blob("blob.bin").download_as_bytes() == data


def test_a_failing_handler_answers_googles_500_envelope(emulator: Emulator) -> None:
    def broken(req: Request) -> Response:
        raise RuntimeError("bug")

    routes = [route("GET", "/v1/broken", broken, "test.broken", auth=False)]
    server = ServerThread(emulator.backend, routes, "127.0.0.1", 0)
    server.start()
    try:
        resp = requests.get(f"http://127.0.0.1:{server.port}/v1/broken", timeout=10)
    finally:
        server.stop()
    assert resp.status_code == 500
    assert resp.json() == {
        "error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    }


def test_shutdown_is_fast_even_with_a_connection_open() -> None:
    with Emulator() as emu:
        emu.clients().projects().get_project(name=f"projects/{P}")  # a kept-alive connection
        started = time.monotonic()
        emu.close()
        elapsed = time.monotonic() - started
    assert elapsed < 0.2  # socketserver's default poll made this 0.5 s
