"""A small STOMP 1.2 client for the tests: raw socket (optionally TLS), standard library only.

Every read is bounded by a timeout; nothing here waits forever.

    c = StompClient("127.0.0.1", 61613)            # or tls_ca="cert.pem", server_hostname="localhost"
    c.connect("moltin", "s3cret")                   # raises StompError on an ERROR frame
    c.subscribe("/queue/x")
    c.send("/queue/x", b"{}", {"content-type": "application/json"}, receipt="r1")
    f = c.receive(timeout=5)                         # Frame(command, headers, body) or AssertionError
    c.close()
"""
import socket
import ssl
import time

_ESCAPES = {"\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\c": ":"}


def unescape(v):
    """STOMP 1.2 header value unescaping (\\\\, \\n, \\r, \\c)."""
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\" and i + 1 < len(v) and v[i:i + 2] in _ESCAPES:
            out.append(_ESCAPES[v[i:i + 2]])
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace(":", "\\c")


class Frame:
    def __init__(self, command, headers, body, raw_headers):
        self.command = command
        self.headers = headers          # dict, first occurrence of a repeated header wins (STOMP 1.2)
        self.body = body                # bytes
        self.raw_headers = raw_headers  # list of (name, value) in wire order, unescaped

    def __repr__(self):
        return f"Frame({self.command!r}, {self.headers!r}, {self.body[:300]!r})"


class StompError(Exception):
    """The broker answered with an ERROR frame (kept in .frame)."""

    def __init__(self, frame):
        super().__init__(f"ERROR frame: {frame!r}")
        self.frame = frame


class StompClient:
    def __init__(self, host, port, tls_ca=None, server_hostname=None, timeout=10.0, sock=None):
        self.timeout = timeout
        if sock is None:
            sock = socket.create_connection((host, port), timeout=timeout)
            if tls_ca is not None:
                ctx = ssl.create_default_context(cafile=tls_ca)
                sock = ctx.wrap_socket(sock, server_hostname=server_hostname or host)
        self.sock = sock
        self.buf = b""
        self.closed = False

    @classmethod
    def on_socket(cls, sock, timeout=10.0):
        """Frame I/O on an accepted socket (the broker side, for a scripted fake broker)."""
        return cls(None, None, timeout=timeout, sock=sock)

    # -- wire ---------------------------------------------------------------------------------
    def write(self, command, headers=(), body=b"", escape_headers=True):
        lines = [command]
        for k, v in (headers.items() if isinstance(headers, dict) else headers):
            v = str(v)
            lines.append(f"{escape(k)}:{escape(v)}" if escape_headers else f"{k}:{v}")
        data = ("\n".join(lines) + "\n\n").encode() + body + b"\0"
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            self.closed = True
            raise EOFError("connection closed by the broker")
        self.buf += chunk

    def read_frame(self, timeout=None):
        """Next frame; AssertionError after `timeout` s, EOFError if the broker closed first."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            while True:
                # heart-beat EOLs between frames
                while self.buf[:1] == b"\n" or self.buf[:2] == b"\r\n":
                    self.buf = self.buf[1:] if self.buf[:1] == b"\n" else self.buf[2:]
                end = self.buf.find(b"\n\n")
                end_crlf = self.buf.find(b"\r\n\r\n")
                if end_crlf != -1 and (end == -1 or end_crlf < end):
                    head, body_start = self.buf[:end_crlf], end_crlf + 4
                elif end != -1:
                    head, body_start = self.buf[:end], end + 2
                else:
                    self._fill(deadline)
                    continue
                lines = head.decode("utf-8").replace("\r\n", "\n").split("\n")
                command = lines[0]
                raw = []
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    if command not in ("CONNECT", "CONNECTED"):
                        k, v = unescape(k), unescape(v)
                    raw.append((k, v))
                headers = {}
                for k, v in raw:
                    headers.setdefault(k, v)
                if "content-length" in headers:
                    n = int(headers["content-length"])
                    while len(self.buf) < body_start + n + 1:
                        self._fill(deadline)
                    body = self.buf[body_start:body_start + n]
                    assert self.buf[body_start + n:body_start + n + 1] == b"\0", "frame not NUL-terminated"
                    self.buf = self.buf[body_start + n + 1:]
                else:
                    while self.buf.find(b"\0", body_start) == -1:
                        self._fill(deadline)
                    z = self.buf.find(b"\0", body_start)
                    body = self.buf[body_start:z]
                    self.buf = self.buf[z + 1:]
                return Frame(command, headers, body, raw)
        except (socket.timeout, TimeoutError):
            raise AssertionError(f"no STOMP frame within {timeout}s (buffered: {self.buf[:200]!r})") from None

    # -- commands -----------------------------------------------------------------------------
    def connect(self, login=None, passcode=None, host="localhost", timeout=None):
        h = {"accept-version": "1.2", "host": host, "heart-beat": "0,0"}
        if login is not None:
            h["login"] = login
        if passcode is not None:
            h["passcode"] = passcode
        self.write("CONNECT", h, escape_headers=False)
        f = self.read_frame(timeout)
        if f.command == "ERROR":
            raise StompError(f)
        assert f.command == "CONNECTED", f
        return f

    def subscribe(self, destination, sub_id="0", ack="auto", receipt=True):
        h = {"id": sub_id, "destination": destination, "ack": ack}
        if receipt:
            h["receipt"] = f"sub-{sub_id}"
        self.write("SUBSCRIBE", h)
        if receipt:
            self.expect_receipt(h["receipt"])

    def send(self, destination, body, headers=None, receipt=None):
        h = {"destination": destination}
        h.update(headers or {})
        h.setdefault("content-length", str(len(body)))
        if receipt:
            h["receipt"] = receipt
        self.write("SEND", h, body)
        if receipt:
            return self.expect_receipt(receipt)

    def expect_receipt(self, receipt_id, timeout=None):
        f = self.read_frame(timeout)
        if f.command == "ERROR":
            raise StompError(f)
        assert f.command == "RECEIPT" and f.headers.get("receipt-id") == receipt_id, f
        return f

    def receive(self, timeout=None):
        """Next MESSAGE frame (AssertionError after `timeout` s)."""
        f = self.read_frame(timeout)
        if f.command == "ERROR":
            raise StompError(f)
        assert f.command == "MESSAGE", f
        return f

    def receive_none(self, timeout):
        """Assert that no frame arrives within `timeout` s."""
        try:
            f = self.read_frame(timeout)
        except AssertionError:
            return
        raise AssertionError(f"unexpected frame: {f!r}")

    def close(self):
        if self.sock is None:
            return
        try:
            if not self.closed:
                self.write("DISCONNECT", {"receipt": "bye"})
                try:
                    self.read_frame(2.0)
                except (AssertionError, EOFError, OSError):
                    pass
        except OSError:
            pass
        finally:
            try:
                self.sock.close()
            finally:
                self.sock = None
