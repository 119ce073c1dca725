"""A TCP listener on 127.0.0.1 (a free port) that serves each connection on its own thread and,
on close(), stops accepting and closes every socket it handed out. Base of the test-side peers."""
import socket
import threading


class LoopbackListener:
    def __init__(self):
        self._lock = threading.Lock()
        self._socks = []
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]

    def start(self):
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def serve(self, sock):
        """One accepted connection, on its own thread (subclasses)."""
        raise NotImplementedError

    def track(self, sock):
        """Closes sock with the listener."""
        with self._lock:
            self._socks.append(sock)

    def _accept(self):
        while True:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            self.track(s)
            threading.Thread(target=self.serve, args=(s,), daemon=True).start()

    def close(self):
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
