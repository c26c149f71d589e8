#!/usr/bin/python3
# py_sockets.py: python's networking on this host only: an http.server in a thread fetched with
# urllib, an asyncio TCP echo server and client, socketserver's forking UDP server, a socketpair
# with file descriptors passed (socket.send_fds), and name resolution of localhost.
import asyncio
import http.server
import os
import socket
import socketserver
import threading
import urllib.request


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("path " + self.path + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def http_roundtrip():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    t = threading.Thread(target=srv.serve_forever)
    t.start()
    port = srv.server_address[1]
    for p in ("/a", "/b?x=1"):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, p), timeout=10) as r:
            print("http:", r.status, r.read().decode().strip(), r.headers["Content-Length"])
    srv.shutdown()
    t.join()
    srv.server_close()


async def echo_main():
    async def echo(reader, writer):
        while data := await reader.readline():
            writer.write(data.upper())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for line in (b"one\n", b"two words\n", b"x" * 50000 + b"\n"):
        writer.write(line)
        await writer.drain()
        got = await reader.readline()
        print("asyncio echo:", len(got), got[:12])
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data[::-1] + b" from " + str(os.getpid() != self.server.parent).encode(), self.client_address)


def forking_udp():
    with socketserver.ForkingUDPServer(("127.0.0.1", 0), Udp) as srv:
        srv.parent = os.getpid()
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
        t.start()
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(10)
        for msg in (b"abc", b"datagram"):
            c.sendto(msg, srv.server_address)
            print("forking udp:", c.recv(100))
        c.close()
        srv.shutdown()
        t.join()


def pass_fds():
    a, b = socket.socketpair()
    r, w = os.pipe()
    socket.send_fds(a, [b"fd"], [w])
    msg, fds, flags, addr = socket.recv_fds(b, 10, 4)
    os.write(fds[0], b"via passed fd")
    print("send_fds:", msg, len(fds), os.read(r, 100), fds[0] != w)
    for fd in (r, w, fds[0]):
        os.close(fd)
    a.close(), b.close()


def resolve():
    infos = socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)
    print("getaddrinfo:", sorted(set(i[4] for i in infos)))
    print("gethostbyname:", socket.gethostbyname("localhost"))


http_roundtrip()
asyncio.run(echo_main())
forking_udp()
pass_fds()
resolve()
