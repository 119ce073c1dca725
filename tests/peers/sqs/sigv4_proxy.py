"""SigV4-verifying HTTP proxy in front of local-aws-sqs (which checks no signatures).

Run with Debian's python3 (it needs python3-botocore):
    /usr/bin/python3 sigv4_proxy.py --upstream http://127.0.0.1:PORT --log FILE \
        [--port 0] [--access-key AKID] [--secret SECRET] [--errors json|xml]

Every request is checked: `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
Signature=…` must match the signature botocore computes over the signed headers, the method,
the path, the query string and the body with the configured key pair. Refusals are 403, as AWS
words them: `SignatureDoesNotMatch` for a wrong signature, `InvalidClientTokenId` for an unknown
access key, `IncompleteSignature` for an unusable Authorization header or a signed header the
request does not carry (e.g. libcurl's `-H "Expect:"`, curl issue 11664: signed, never sent). The
error is a JSON-protocol body with `--errors json` (the default) or the Query-protocol XML
`ErrorResponse` with `--errors xml`. A valid request is forwarded to the upstream and its answer
passed back. One JSON line per request goes to the log file (method,
path, headers, body, the parsed Authorization fields and the verdict, `ok` when valid), and one
`sigv4 <path> <verdict>` line to stderr. The first stdout line is `listening <port>`.
"""
import argparse
import hashlib
import http.server
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?"
                     r"SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})")
HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "expect", "transfer-encoding",
              "te", "trailer", "upgrade", "proxy-connection"}
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")


def parse_args(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream", required=True)
    p.add_argument("--access-key", default="AKIDEXAMPLE")
    p.add_argument("--secret", default="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    p.add_argument("--errors", choices=("json", "xml"), default="json")
    p.add_argument("--log", required=True)
    return p.parse_args(argv)


ARGS = parse_args(sys.argv[1:])
LOG_LOCK = threading.Lock()


def verify(method, host, path, headers, body):
    """(verdict, auth fields) for one request; verdict 'ok' when the signature is valid."""
    m = AUTH_RE.fullmatch(headers.get("Authorization", "") or "")
    if not m:
        return "Authorization header missing or not AWS4-HMAC-SHA256 with Credential, SignedHeaders, Signature.", None
    akid, day, region, service, signed, sig = m.groups()
    fields = {"access_key": akid, "date": day, "region": region, "service": service,
              "signed_headers": signed.split(";"), "signature": sig}
    if akid != ARGS.access_key:
        return "InvalidClientTokenId", fields
    amz_date = headers.get("X-Amz-Date", "") or ""
    if not amz_date.startswith(day):
        return "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.", fields
    hdrs = {}
    for h in signed.split(";"):
        v = headers.get(h)
        if v is None:
            return "'%s' is named as a SignedHeader, but it does not exist in the HTTP request." % h, fields
        hdrs[h] = v
    req = AWSRequest(method=method, url="http://%s%s" % (host, path), data=body, headers=hdrs)
    req.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(ARGS.access_key, ARGS.secret), service, region)
    want = auth.signature(auth.string_to_sign(req, auth.canonical_request(req)), req)
    return ("ok" if want == sig else "SignatureDoesNotMatch"), fields


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"        # keep-alive and Expect: 100-continue, as libcurl likes

    def log_message(self, fmt, *args):   # quiet: the JSON log is the record
        pass

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status, body, ctype, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", hashlib.md5(body).hexdigest())
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        t0 = time.time()
        body = self.read_body()
        host = self.headers.get("Host", "")
        verdict, fields = verify(self.command, host, self.path, self.headers, body)
        entry = {"time": t0, "method": self.command, "path": self.path, "host": host,
                 "headers": [[k, v] for k, v in self.headers.items()],
                 "body": body.decode("utf-8", "replace"), "auth": fields, "verdict": verdict}
        if verdict == "ok":
            status, data, ctype, extra = self.forward(body)
        else:
            status, data, ctype, extra = self.refuse(verdict)
        entry["status"] = status
        entry["answer"] = data.decode("utf-8", "replace")
        with LOG_LOCK:
            with open(ARGS.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            sys.stderr.write("sigv4 %s %s\n" % (self.path, verdict))
            sys.stderr.flush()
        self.reply(status, data, ctype, extra)

    def refuse(self, verdict):
        if verdict == "InvalidClientTokenId":
            code, message = verdict, "The security token included in the request is invalid."
        elif verdict == "SignatureDoesNotMatch":
            code, message = verdict, MISMATCH
        else:                                       # what AWS says of an unusable Authorization
            code, message = "IncompleteSignature", verdict
        if ARGS.errors == "json":
            data = json.dumps({"__type": "com.amazon.coral.service#" + code, "message": message},
                              separators=(",", ":")).encode()
            return 403, data, "application/x-amz-json-1.0", [("x-amzn-query-error", code + ";Sender")]
        data = ('<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
                "<Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message><Detail/></Error>"
                "<RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
                % (code, message)).encode()
        return 403, data, "text/xml", []

    def forward(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        req = urllib.request.Request(ARGS.upstream + self.path, data=body if body or self.command == "POST"
                                     else None, method=self.command, headers=headers)
        try:
            r = urllib.request.urlopen(req, timeout=10)
        except urllib.error.HTTPError as e:
            r = e
        except OSError as e:
            return 502, ("upstream: %s" % e).encode(), "text/plain", []
        data = r.read()
        extra = [(k, v) for k, v in r.headers.items() if k.lower().startswith("x-amzn-query-error")]
        return r.status, data, r.headers.get("Content-Type", "text/plain"), extra

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    open(ARGS.log, "a").close()
    sys.stdout.write("listening %d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
