"""A scripted fake STOMP broker on 127.0.0.1 that records every frame it receives.

The real broker (stomp_broker.py) shows that deliveries work; this one shows what is on the wire
(CONNECT and SEND headers, the receipt id of each attempt, DISCONNECT) and plays answers a real
broker would rarely give (no RECEIPT, a RECEIPT for someone else, heart-beat EOLs between frames).

`answer(frame)` returns the raw bytes to write back for one received frame (b"" for nothing), or
CLOSE to drop the connection there (a broker that dies mid-conversation).
"""
import threading

from loopback import LoopbackListener
from stomp_client import StompClient


CLOSE = object()


def frame(command, headers=(), body=b""):
    head = "".join(f"\n{k}:{v}" for k, v in headers)
    return (command + head + "\n\n").encode() + body + b"\0"


def polite(f):
    """What a well-behaved broker answers: CONNECTED, and the RECEIPT a frame asks for."""
    if f.command == "CONNECT":
        return frame("CONNECTED", [("version", "1.2"), ("heart-beat", "0,0")])
    if "receipt" in f.headers:
        return frame("RECEIPT", [("receipt-id", f.headers["receipt"])])
    return b""


class FakeBroker(LoopbackListener):
    def __init__(self, answer=polite):
        super().__init__()
        self.answer = answer
        self.connections = []        # one list of received Frames per accepted connection
        self._cond = threading.Condition(self._lock)
        self.start()

    def address(self):
        return f"stomp://127.0.0.1:{self.port}"

    def serve(self, s):
        with self._lock:
            frames = []
            self.connections.append(frames)
        self._serve(s, frames)

    def _serve(self, s, frames):
        conn = StompClient.on_socket(s, timeout=30.0)
        try:
            while True:
                f = conn.read_frame(30.0)
                with self._cond:
                    frames.append(f)
                    self._cond.notify_all()
                out = self.answer(f)
                if out is CLOSE:
                    break
                if out:
                    s.sendall(out)
                if f.command == "DISCONNECT":
                    break
        except (AssertionError, EOFError, OSError, ValueError, UnicodeDecodeError):
            pass
        finally:
            try:
                s.close()
            except OSError:
                pass

    def wait_frames(self, command, count, timeout=10.0):
        """All received frames with `command` once there are at least `count` of them."""
        import time
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [f for fs in self.connections for f in fs if f.command == command]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake broker: expected {count} {command} frame(s) within {timeout}s, "
                                         f"got {self.connections!r}")
                self._cond.wait(left)
