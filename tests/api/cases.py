"""The spec's tables for the black-box tests: observable events and create-validation rows are read
from tests/data (shared with the unit tests); helpers build bodies and expected titles."""
import copy
import json
import os

from support import valid_data

# ---------------------------------------------------------------------------------------------
# §6 observable events
# ---------------------------------------------------------------------------------------------
_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
with open(os.path.join(_DATA, "events.json"), encoding="utf-8") as _f:
    _EVENTS = json.load(_f)
VALID_EVENTS = [f"{r}.{a}" for r in _EVENTS["crud_resources"] for a in _EVENTS["crud_actions"]] + \
    _EVENTS["other_observable"]
INVALID_EVENTS = _EVENTS["not_observable"]
assert len(VALID_EVENTS) == len(set(VALID_EVENTS))

# ---------------------------------------------------------------------------------------------
# §4.1 create validation rows
# ---------------------------------------------------------------------------------------------
DROP = object()  # marker: remove the key from the valid body


def body(config=None, **changes):
    """{"data": valid webhook integration} with `changes` applied (DROP removes a key)."""
    d = copy.deepcopy(valid_data())
    if config is not None:
        d["configuration"] = config
    for k, v in changes.items():
        if v is DROP:
            d.pop(k, None)
        else:
            d[k] = v
    return {"data": d}


def MISSING(k):
    return f"Missing required property: {k}"


def ENUM(v):
    return f'No enum match for: "{v}"'


def TYPE(got, want):
    return f"Invalid type: {got} (expected {want})"


TOO_SHORT_NAME = "String is too short (0 chars), minimum 1"
EVENT_LIMIT = "You have reached the integration event limit of 5"
NOT_UNIQUE = "Array items are not unique"

SQS_OK = {
    "url": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "region": "eu-west-1",
}
# The configuration keys a resource shows masked (§3); a webhook's secret_key is shown as it is.
MASKED_KEYS = {"aws_access_key_id", "aws_secret_access_key", "password"}
SIX_EVENTS = ["order.created", "order.updated", "order.paid", "order.authorized",
              "order.fulfilled", "order.cancelled"]

# The validation table of a create, kept once as data (tests/data/create.jsonl) for this suite
# and the unit tests (tests/unit/test_integration.c) alike: one case a line, its body, its status,
# and its errors [{title, source}] (400) or the fields it stores (201).
with open(os.path.join(_DATA, "create.jsonl"), encoding="utf-8") as _f:
    _ROWS = [json.loads(line) for line in _f if line.strip()]
CREATE_CASES = [{"id": r["case"], "body": r["body"], "errors": [(e["title"], e["source"]) for e in r["errors"]]}
                for r in _ROWS if r["status"] == 400]
CREATE_OK_CASES = [{"id": r["case"], "body": r["body"], "stored": r["stored"]} for r in _ROWS if r["status"] == 201]
assert len({r["case"] for r in _ROWS}) == len(_ROWS)

# The validation table of an update, kept the same way (tests/data/update.jsonl): the first line
# is the integration every row updates ({"stored": …}); each row gives its errors (400), or the
# fields it changes (200). A row's data.id of "<stored id>" stands for that integration's id.
with open(os.path.join(_DATA, "update.jsonl"), encoding="utf-8") as _f:
    _LINES = [json.loads(line) for line in _f if line.strip()]
UPDATE_STORED = _LINES[0]["stored"]
UPDATE_ROWS = _LINES[1:]
STORED_ID_MARK = "<stored id>"
assert len({r["case"] for r in UPDATE_ROWS}) == len(UPDATE_ROWS)

# ---------------------------------------------------------------------------------------------
# §3 valid configurations per integration type: (id, integration_type, configuration sent,
# configuration expected back). Stomp addresses may come back with the default port filled in.
# ---------------------------------------------------------------------------------------------
VALID_CONFIGS = [
    ("webhook-https", "webhook", {"url": "https://yourwebsite.com/order-created-notification"},
     {"url": "https://yourwebsite.com/order-created-notification"}),
    ("webhook-secret", "webhook", {"url": "http://127.0.0.1:9/hook", "secret_key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
     {"url": "http://127.0.0.1:9/hook", "secret_key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
    ("webhook-query-port", "webhook", {"url": "http://localhost:8080/a/b?x=1&y=two#frag"},
     {"url": "http://localhost:8080/a/b?x=1&y=two#frag"}),
    ("webhook-extra-keys-dropped", "webhook",
     {"url": "http://127.0.0.1:9/hook", "method": "PUT", "headers": {"a": "b"}, "aws_access_key_id": "X"},
     {"url": "http://127.0.0.1:9/hook"}),
    ("sqs", "aws_sqs", dict(SQS_OK),
     {"url": SQS_OK["url"], "aws_access_key_id": "****************MPLE",
      "aws_secret_access_key": "*" * 36 + "EKEY", "region": "eu-west-1"}),
    ("sqs-fifo-local", "aws_sqs",
     {"url": "http://127.0.0.1:9324/000000000000/orders.fifo", "aws_access_key_id": "AKIA",
      "aws_secret_access_key": "abcde", "region": "us-east-1", "extra": 1},
     {"url": "http://127.0.0.1:9324/000000000000/orders.fifo", "aws_access_key_id": "****",
      "aws_secret_access_key": "*bcde", "region": "us-east-1"}),
    ("stomp-default-ports", "stomp",
     {"addresses": ["stomp://localhost", "stomp+ssl://broker.example.com"], "destination": "/queue/orders"},
     {"addresses": ["stomp://localhost", "stomp+ssl://broker.example.com"], "destination": "/queue/orders"}),
    ("stomp-full", "stomp",
     {"addresses": ["stomp+ssl://127.0.0.1:61617", "stomp://127.0.0.1:61613"], "destination": "/topic/x",
      "username": "moltin", "password": "s3cret-pass", "url": "http://ignored/"},
     {"addresses": ["stomp+ssl://127.0.0.1:61617", "stomp://127.0.0.1:61613"], "destination": "/topic/x",
      "username": "moltin", "password": "*******pass"}),
    ("stomp-short-password", "stomp",
     {"addresses": ["stomp://127.0.0.1"], "destination": "q", "password": "ab"},
     {"addresses": ["stomp://127.0.0.1"], "destination": "q", "password": "**"}),
]
STOMP_DEFAULT_PORTS = {"stomp": 61613, "stomp+ssl": 61614}
