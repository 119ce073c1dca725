"""A real STOMP broker for the delivery tests: Debian's ActiveMQ Classic (package `activemq`).

One broker on 127.0.0.1 with free ports, fresh state in `workdir`, user moltin/s3cret, plain STOMP
and STOMP over TLS (a self-signed certificate for IP:127.0.0.1 and DNS:localhost; the CA file is
the certificate itself). Started with `java -jar activemq.jar` (the Debian init script wants its own
instance dirs and user; services do not start on install here anyway), stopped by PID.

    b = Broker(tmpdir).start()      # bounded wait until both STOMP ports answer CONNECT
    b.port, b.tls_port, b.cert      # plain port, TLS port, PEM file for --stomp-ca-file
    b.stop()

Run standalone as a self-check: /usr/bin/python3 tests/peers/stomp/stomp_broker.py
"""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stomp_client import StompClient, StompError  # noqa: E402

USER = "moltin"
PASSWORD = "s3cret"
# queues the users may use: /queue/it.<anything>; /queue/forbidden.<anything> is refused (ERROR after SEND)
QUEUE_PREFIX = "/queue/it."
FORBIDDEN_PREFIX = "/queue/forbidden."
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
DEBIAN_PACKAGE = "activemq"

XML = """<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" brokerName="localhost"
          persistent="false" dataDirectory="{data}" schedulerSupport="false" advisorySupport="false">
    <plugins>
      <simpleAuthenticationPlugin><users>
        <authenticationUser username="{user}" password="{password}" groups="users"/>
      </users></simpleAuthenticationPlugin>
      <authorizationPlugin><map><authorizationMap><authorizationEntries>
        <authorizationEntry queue="it.>" read="users" write="users" admin="users"/>
        <authorizationEntry queue="forbidden.>" read="admins" write="admins" admin="admins"/>
        <authorizationEntry topic="ActiveMQ.Advisory.>" read="users" write="users" admin="users"/>
      </authorizationEntries></authorizationMap></map></authorizationPlugin>
    </plugins>
    <sslContext><sslContext keyStore="file:{keystore}" keyStorePassword="changeit" keyStoreType="pkcs12"/></sslContext>
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:{port}"/>
      <transportConnector name="stomp+ssl" uri="stomp+ssl://127.0.0.1:{tls_port}"/>
    </transportConnectors>
  </broker>
</beans>
"""


def free_port():
    """A port that was free on 127.0.0.1 a moment ago (the broker start retries on a clash)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port():
    """A port on 127.0.0.1 where nothing listens (connect is refused)."""
    return free_port()


def activemq_jar():
    out = subprocess.run(["dpkg", "-L", DEBIAN_PACKAGE], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for line in out.stdout.decode().splitlines():
        if line.endswith("/bin/activemq.jar"):
            return line
    raise AssertionError(f"ActiveMQ is not installed: apt-get install {DEBIAN_PACKAGE} "
                         f"(scripts/deps.sh test); dpkg -L said {out.stderr.decode().strip()!r}")


def _die_with_parent():
    """In the child before exec: SIGTERM it if the test process dies without its teardown."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except Exception:
        pass


def _run(cmd):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 0, f"{cmd}: {r.returncode} {r.stderr.decode()[-2000:]}"


class Broker:
    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.proc = None
        self.port = None
        self.tls_port = None
        self.cert = os.path.join(self.workdir, "cert.pem")
        self.key = os.path.join(self.workdir, "key.pem")
        self.keystore = os.path.join(self.workdir, "ks.p12")
        self.log_path = os.path.join(self.workdir, "activemq.log")
        self.ready_seconds = None
        self.user = USER
        self.password = PASSWORD

    # -- life cycle ---------------------------------------------------------------------------
    def _certificate(self):
        _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
              "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
              "-keyout", self.key, "-out", self.cert])
        _run(["openssl", "pkcs12", "-export", "-in", self.cert, "-inkey", self.key,
              "-out", self.keystore, "-passout", "pass:changeit"])

    def start(self, attempts=3):
        os.makedirs(self.workdir, exist_ok=True)
        jar = activemq_jar()
        self._certificate()
        last = None
        for n in range(attempts):
            try:
                return self._start_once(jar, n)
            except AssertionError as e:   # e.g. a port taken between free_port() and the bind
                last = e
                self.stop()
        raise last

    def _start_once(self, jar, n):
        home = os.path.dirname(os.path.dirname(jar))
        base = os.path.join(self.workdir, f"run{n}")
        data = os.path.join(base, "data")
        os.makedirs(os.path.join(base, "tmp"), exist_ok=True)
        os.makedirs(data, exist_ok=True)
        self.port, self.tls_port = free_port(), free_port()
        while self.tls_port == self.port:
            self.tls_port = free_port()
        xml = os.path.join(base, "activemq.xml")
        with open(xml, "w") as f:
            f.write(XML.format(data=data, user=USER, password=PASSWORD, keystore=self.keystore,
                               port=self.port, tls_port=self.tls_port))
        cmd = ["java", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-Djava.awt.headless=true", f"-Djava.io.tmpdir={base}/tmp",
               f"-Dactivemq.classpath={base}", f"-Dactivemq.home={home}", f"-Dactivemq.base={base}",
               f"-Dactivemq.conf={base}", f"-Dactivemq.data={data}",
               "-jar", jar, "start", f"xbean:file:{xml}"]
        self.log_path = os.path.join(base, "activemq.log")
        log = open(self.log_path, "wb")
        t0 = time.monotonic()
        # own session: a Ctrl-C of pytest does not reach it; we stop it by PID ourselves
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     cwd=base, start_new_session=True, preexec_fn=_die_with_parent)
        log.close()
        deadline = t0 + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"ActiveMQ exited with {self.proc.returncode} before ready: {self.log_tail()}")
            if self._ready():
                self.ready_seconds = time.monotonic() - t0
                return self
            if time.monotonic() > deadline:
                raise AssertionError(f"ActiveMQ not ready within {READY_TIMEOUT}s: {self.log_tail()}")
            time.sleep(0.2)

    def _ready(self):
        """Both connectors accept a STOMP CONNECT with the test user (TLS one verified)."""
        for kw in ({"port": self.port}, {"port": self.tls_port, "tls_ca": self.cert, "server_hostname": "localhost"}):
            try:
                c = StompClient("127.0.0.1", timeout=2.0, **kw)
            except (OSError, AssertionError):
                return False
            try:
                c.connect(USER, PASSWORD)
            except (OSError, EOFError, AssertionError, StompError):
                return False
            finally:
                try:
                    c.close()
                except Exception:
                    pass
        return True

    def stop(self):
        """SIGTERM by PID, bounded wait, then SIGKILL. Returns the exit status (None if not running)."""
        p, self.proc = self.proc, None
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- helpers ------------------------------------------------------------------------------
    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-n:]
        except FileNotFoundError:
            return ""

    def address(self):
        return f"stomp://127.0.0.1:{self.port}"

    def tls_address(self, host="localhost"):
        return f"stomp+ssl://{host}:{self.tls_port}"

    def client(self, tls=False, host="127.0.0.1", server_hostname="localhost", login=USER, passcode=PASSWORD):
        """A connected StompClient (plain, or TLS verified against the broker's certificate)."""
        if tls:
            c = StompClient(host, self.tls_port, tls_ca=self.cert, server_hostname=server_hostname)
        else:
            c = StompClient(host, self.port)
        c.connect(login, passcode)
        return c


def _selfcheck():
    import json
    import tempfile
    import uuid
    with tempfile.TemporaryDirectory(prefix="stomp-broker-") as d:
        b = Broker(d)
        t0 = time.monotonic()
        b.start()
        try:
            print(f"activemq pid {b.pid} ready after {b.ready_seconds:.2f}s "
                  f"(plain {b.port}, tls {b.tls_port}; start() incl. cert {time.monotonic() - t0:.2f}s)")
            q = f"{QUEUE_PREFIX}selfcheck-{uuid.uuid4()}"
            sub = b.client()
            sub.subscribe(q)
            for tls in (False, True):
                c = b.client(tls=tls)
                body = json.dumps({"tls": tls}).encode()
                c.send(q, body, {"content-type": "application/json", "persistent": "true",
                                 "x-odd": "a:b\\c\nd"}, receipt=f"r-{tls}")
                c.close()
                m = sub.receive(5)
                assert m.body == body, m
                print(f"{'TLS' if tls else 'plain'}: MESSAGE {m.headers}")
            sub.close()
            try:
                b.client(passcode="wrong")
                raise AssertionError("wrong password accepted")
            except StompError as e:
                print(f"wrong password: {e.frame.headers} body={e.frame.body!r}")
            try:
                StompClient("127.0.0.1", b.tls_port, tls_ca="/etc/ssl/certs/ca-certificates.crt",
                            server_hostname="localhost").close()
                raise AssertionError("untrusted certificate accepted")
            except OSError as e:
                print(f"untrusted CA: {e}")
        finally:
            rc = b.stop()
            print(f"stopped, exit status {rc}")


if __name__ == "__main__":
    _selfcheck()
