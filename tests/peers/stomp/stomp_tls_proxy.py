"""A TLS-terminating TCP forwarder on 127.0.0.1 (standard library only).

It presents its own certificate (made here, for a name of the caller's choice) and forwards the
plain bytes to an upstream port, e.g. the broker's plain STOMP port. Used to check host-name
verification: a client that trusts the certificate but dials a name that is not in it must refuse.
"""
import os
import socket
import ssl
import subprocess
import threading


def make_cert(workdir, name, san):
    """Self-signed certificate `<name>.pem` + key `<name>.key` with the given subjectAltName."""
    cert, key = os.path.join(workdir, f"{name}.pem"), os.path.join(workdir, f"{name}.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}",
                        "-keyout", key, "-out", cert],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return cert, key


class TlsProxy:
    def __init__(self, cert, key, upstream_port):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.upstream_port = upstream_port
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.handshakes_ok = 0
        self.handshakes_failed = 0
        self._socks = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _track(self, s):
        with self._lock:
            self._socks.append(s)

    def _accept(self):
        while not self._stop.is_set():
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            self._track(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(10)
            t = self.ctx.wrap_socket(c, server_side=True)
        except (OSError, ssl.SSLError):
            with self._lock:
                self.handshakes_failed += 1
            c.close()
            return
        with self._lock:
            self.handshakes_ok += 1
        self._track(t)
        try:
            u = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            t.close()
            return
        self._track(u)
        t.settimeout(None)
        u.settimeout(None)
        threading.Thread(target=self._pump, args=(u, t), daemon=True).start()
        self._pump(t, u)

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            try:
                s.close()
            except OSError:
                pass
        self._thread.join(5)
