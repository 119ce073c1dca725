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

from loopback import LoopbackListener


def make_cert(workdir, name, san):
    """Self-signed certificate `<name>.pem` + key `<name>.key` with the given subjectAltName."""
    cert, key = os.path.join(workdir, f"{name}.pem"), os.path.join(workdir, f"{name}.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}",
                        "-keyout", key, "-out", cert],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return cert, key


class TlsProxy(LoopbackListener):
    def __init__(self, cert, key, upstream_port):
        super().__init__()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.upstream_port = upstream_port
        self.handshakes_ok = 0
        self.handshakes_failed = 0
        self.start()

    def serve(self, c):
        self._serve(c)

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
        self.track(t)
        try:
            u = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            t.close()
            return
        self.track(u)
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
