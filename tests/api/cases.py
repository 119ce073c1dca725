"""The spec's tables as data: observable events (§6) and create-validation rows (§4.1)."""
import copy
import json
import re

from support import valid_data

# ---------------------------------------------------------------------------------------------
# §6 observable events
# ---------------------------------------------------------------------------------------------
_CRUD = ["created", "updated", "deleted"]
_CRUD_RESOURCES = [
    "account", "account-member", "account-membership", "address", "currency", "customer",
    "integration", "catalog-release", "catalog-rule", "user-authentication-info", "brand",
    "category", "collection", "product",
    "subscription-subscriber", "subscription-product", "subscription-plan",
    "subscription-offering", "subscription-job", "subscription-schedule",
]
VALID_EVENTS = [f"{r}.{a}" for r in _CRUD_RESOURCES for a in _CRUD] + [
    "cart.updated", "cart.deleted",
    "file.created", "file.deleted",
    "one-time-password-token-request.created",
    "order.created", "order.updated", "order.paid", "order.authorized", "order.fulfilled",
    "order.cancelled", "order.refunded",
    "payment-gateway.updated",
    "settings.created", "settings.updated",
    "stock-transaction.created",
    "transaction.created", "transaction.updated",
    "subscription.created", "subscription.create-failed", "subscription.paused",
    "subscription.canceled", "subscription.pending_cancel", "subscription.pending_pause",
    "subscription.resumed", "subscription.closed",
    "subscription-invoice.created", "subscription-invoice.deleted",
    # custom API entries: <slug>_ext.created|updated|deleted, slug [a-z0-9_-]+
    "wishlists_ext.created", "wishlists_ext.updated", "wishlists_ext.deleted",
    "my-api_ext.created", "a_ext.updated", "x1_y-2_ext.deleted", "0_ext.created",
]
assert len(VALID_EVENTS) == len(set(VALID_EVENTS))

INVALID_EVENTS = [
    "order.shipped", "order.canceled", "order", "order.", ".created", "", "ORDER.CREATED",
    "Order.created", "order.created ", " order.created", "cart.created", "file.updated",
    "payment-gateway.created", "settings.deleted", "stock-transaction.updated",
    "subscription.cancelled", "subscription-invoice.updated", "products.created",
    "integration.fired", "_ext.created", "Wishlists_ext.created", "wish lists_ext.created",
    "wishlists_ext.paid", "wishlists_ext", "wishlists.created", "wishlists_ext.created.x",
    "wish.lists_ext.created",
]

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


FORMAT = re.compile(r"Invalid format: .+")
TYPE_OR_FORMAT = re.compile(r"Invalid (type|format): .+")
ANY_TITLE = re.compile(r".+")
TOO_SHORT_NAME = "String is too short (0 chars), minimum 1"
ARRAY_TOO_SHORT = "Array is too short (0), minimum 1"
EVENT_LIMIT = "You have reached the integration event limit of 5"
NOT_UNIQUE = "Array items are not unique"

SQS_OK = {
    "url": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "region": "eu-west-1",
}
STOMP_OK = {"addresses": ["stomp://127.0.0.1:61613"], "destination": "/queue/orders"}


def sqs(**changes):
    c = dict(SQS_OK)
    for k, v in changes.items():
        if v is DROP:
            c.pop(k)
        else:
            c[k] = v
    return c


def stomp(**changes):
    c = dict(STOMP_OK)
    for k, v in changes.items():
        if v is DROP:
            c.pop(k)
        else:
            c[k] = v
    return c


SIX_EVENTS = ["order.created", "order.updated", "order.paid", "order.authorized",
              "order.fulfilled", "order.cancelled"]

# Each case: id, body (any JSON value, sent as the request body), errors: [(title, source)].
CREATE_CASES = []


def case(id, body, *errors):
    CREATE_CASES.append({"id": id, "body": body, "errors": list(errors)})


# row: body is not an object, or has no `data` object
for _id, _b in [("body-array", []), ("body-string", "integration"), ("body-number", 42),
                ("body-true", True), ("body-null", None), ("body-empty-object", {}),
                ("data-null", {"data": None}), ("data-array", {"data": [valid_data()]}),
                ("data-string", {"data": "integration"}), ("data-number", {"data": 1}),
                ("data-under-other-key", {"integration": valid_data()})]:
    case(_id, _b, (MISSING("data"), "data"))

# row: type missing / not "integration"
case("type-missing", body(type=DROP), (MISSING("type"), "data.type"))
case("type-plural", body(type="integrations"), (ENUM("integrations"), "data.type"))
case("type-job", body(type="integration-job"), (ENUM("integration-job"), "data.type"))
case("type-empty", body(type=""), (ENUM(""), "data.type"))

# row: name, integration_type, observes, configuration missing or null
for _k in ["name", "integration_type", "observes", "configuration"]:
    case(f"{_k}-missing", body(**{_k: DROP}), (MISSING(_k), f"data.{_k}"))
    case(f"{_k}-null", body(**{_k: None}), (MISSING(_k), f"data.{_k}"))

# row: wrong JSON type
for _k, _v, _got, _want in [
    ("name", 5, "number", "string"), ("name", 1.5, "number", "string"),
    ("name", True, "boolean", "string"), ("name", ["n"], "array", "string"),
    ("name", {"n": 1}, "object", "string"),
    ("integration_type", 1, "number", "string"), ("integration_type", ["webhook"], "array", "string"),
    ("description", 5, "number", "string"), ("description", False, "boolean", "string"),
    ("description", {}, "object", "string"),
    ("enabled", "yes", "string", "boolean"), ("enabled", "true", "string", "boolean"),
    ("enabled", 1, "number", "boolean"), ("enabled", [], "array", "boolean"),
    ("observes", "order.paid", "string", "array"), ("observes", {"0": "order.paid"}, "object", "array"),
    ("observes", 5, "number", "array"), ("observes", True, "boolean", "array"),
    ("configuration", "http://127.0.0.1:9/", "string", "object"),
    ("configuration", [], "array", "object"), ("configuration", 5, "number", "object"),
    ("configuration", True, "boolean", "object"),
]:
    case(f"{_k}-is-{_got}-{json.dumps(_v)}", body(**{_k: _v}), (TYPE(_got, _want), f"data.{_k}"))
case("observes-item-number", body(observes=[5]), (TYPE("number", "string"), "data.observes[0]"))
case("observes-item-null", body(observes=["order.paid", None]),
     (TYPE("null", "string"), "data.observes[1]"))

# row: name empty string
case("name-empty", body(name=""), (TOO_SHORT_NAME, "data.name"))

# row: integration_type not in the enum
for _v in ["email", "Webhook", "WEBHOOK", "sqs", "aws-sqs", "stomp+ssl", ""]:
    case(f"integration_type-{_v or 'empty'}", body(integration_type=_v),
         (ENUM(_v), "data.integration_type"))

# rows: observes count / enum / uniqueness
case("observes-six", body(observes=SIX_EVENTS), (EVENT_LIMIT, "data.observes"))
case("observes-empty", body(observes=[]), (ARRAY_TOO_SHORT, "data.observes"))
case("observes-unknown-second", body(observes=["order.created", "order.nope"]),
     (ENUM("order.nope"), "data.observes[1]"))
case("observes-two-unknown", body(observes=["nope.a", "order.paid", "nope.b"]),
     (ENUM("nope.a"), "data.observes[0]"), (ENUM("nope.b"), "data.observes[2]"))
case("observes-duplicate", body(observes=["order.created", "order.paid", "order.created"]),
     (NOT_UNIQUE, "data.observes[2]"))
case("observes-duplicate-adjacent", body(observes=["order.paid", "order.paid"]),
     (NOT_UNIQUE, "data.observes[1]"))

# rows: configuration keys per integration type
_C = "data.configuration."
case("webhook-config-empty", body(config={}), (MISSING("url"), _C + "url"))
case("webhook-config-only-secret", body(config={"secret_key": "s"}), (MISSING("url"), _C + "url"))
case("webhook-url-number", body(config={"url": 5}), (TYPE("number", "string"), _C + "url"))
case("webhook-url-array", body(config={"url": ["http://127.0.0.1/"]}), (TYPE("array", "string"), _C + "url"))
case("webhook-secret-number", body(config={"url": "http://127.0.0.1:9/", "secret_key": 5}),
     (TYPE("number", "string"), _C + "secret_key"))
for _i, _u in enumerate(["ftp://example.com/hook", "example.com/hook", "not a url", "http://",
                         "https://", "", "http:///hook", "mailto:ops@example.com",
                         "javascript:alert(1)", "http://exa mple.com/"]):
    case(f"webhook-bad-url-{_i}", body(config={"url": _u}), (FORMAT, _C + "url"))

case("sqs-config-empty", body(integration_type="aws_sqs", config={}),
     (MISSING("url"), _C + "url"), (MISSING("aws_access_key_id"), _C + "aws_access_key_id"),
     (MISSING("aws_secret_access_key"), _C + "aws_secret_access_key"),
     (MISSING("region"), _C + "region"))
for _k in ["url", "aws_access_key_id", "aws_secret_access_key", "region"]:
    case(f"sqs-missing-{_k}", body(integration_type="aws_sqs", config=sqs(**{_k: DROP})),
         (MISSING(_k), _C + _k))
    case(f"sqs-{_k}-number", body(integration_type="aws_sqs", config=sqs(**{_k: 7})),
         (TYPE("number", "string"), _C + _k))
case("sqs-url-no-scheme", body(integration_type="aws_sqs",
                               config=sqs(url="sqs.eu-west-1.amazonaws.com/123456789012/orders")),
     (FORMAT, _C + "url"))
case("sqs-url-ftp", body(integration_type="aws_sqs", config=sqs(url="ftp://sqs.example.com/1/q")),
     (FORMAT, _C + "url"))
case("sqs-webhook-config", body(integration_type="aws_sqs", config={"url": "http://127.0.0.1:9/q"}),
     (MISSING("aws_access_key_id"), _C + "aws_access_key_id"),
     (MISSING("aws_secret_access_key"), _C + "aws_secret_access_key"),
     (MISSING("region"), _C + "region"))

case("stomp-config-empty", body(integration_type="stomp", config={}),
     (MISSING("addresses"), _C + "addresses"), (MISSING("destination"), _C + "destination"))
case("stomp-missing-destination", body(integration_type="stomp", config=stomp(destination=DROP)),
     (MISSING("destination"), _C + "destination"))
case("stomp-addresses-string", body(integration_type="stomp", config=stomp(addresses="stomp://127.0.0.1")),
     (TYPE("string", "array"), _C + "addresses"))
case("stomp-addresses-empty", body(integration_type="stomp", config=stomp(addresses=[])),
     (ANY_TITLE, _C + "addresses"))
case("stomp-destination-number", body(integration_type="stomp", config=stomp(destination=5)),
     (TYPE("number", "string"), _C + "destination"))
case("stomp-username-number", body(integration_type="stomp", config=stomp(username=5)),
     (TYPE("number", "string"), _C + "username"))
case("stomp-password-bool", body(integration_type="stomp", config=stomp(password=True)),
     (TYPE("boolean", "string"), _C + "password"))
_ADDR0 = re.compile(r"data\.configuration\.addresses(\[0\])?")
_ADDR1 = re.compile(r"data\.configuration\.addresses(\[1\])?")
for _i, _a in enumerate(["http://127.0.0.1:61613", "127.0.0.1:61613", "stomp://", "stomp://:61613",
                         "stomp://broker:port", "stomp://broker:99999", "tcp://broker:61613",
                         "ssl://broker:61614", "stomps://broker", ""]):
    case(f"stomp-bad-address-{_i}", body(integration_type="stomp", config=stomp(addresses=[_a])),
         (FORMAT, _ADDR0))
case("stomp-bad-second-address",
     body(integration_type="stomp", config=stomp(addresses=["stomp://127.0.0.1", "nope"])),
     (FORMAT, _ADDR1))
case("stomp-address-number", body(integration_type="stomp", config=stomp(addresses=[61613])),
     (TYPE_OR_FORMAT, _ADDR0))

# several problems at once: every one reported, in §3 key order, configuration keys in table order
case("all-missing", {"data": {}},
     (MISSING("type"), "data.type"), (MISSING("integration_type"), "data.integration_type"),
     (MISSING("name"), "data.name"), (MISSING("configuration"), "data.configuration"),
     (MISSING("observes"), "data.observes"))
case("many-webhook",
     {"data": {"observes": ["bad.key", "order.paid", "order.paid"], "enabled": "yes",
               "configuration": {"secret_key": 5}, "description": 5, "name": "",
               "integration_type": "webhook", "type": "intgr"}},
     (ENUM("intgr"), "data.type"), (TOO_SHORT_NAME, "data.name"),
     (TYPE("number", "string"), "data.description"), (TYPE("string", "boolean"), "data.enabled"),
     (MISSING("url"), _C + "url"), (TYPE("number", "string"), _C + "secret_key"),
     (ENUM("bad.key"), "data.observes[0]"), (NOT_UNIQUE, "data.observes[2]"))
case("many-sqs",
     {"data": {"type": "integration", "integration_type": "aws_sqs", "name": 5,
               "configuration": {"region": 1, "aws_access_key_id": 2, "url": "nope"},
               "observes": []}},
     (TYPE("number", "string"), "data.name"), (FORMAT, _C + "url"),
     (TYPE("number", "string"), _C + "aws_access_key_id"),
     (MISSING("aws_secret_access_key"), _C + "aws_secret_access_key"),
     (TYPE("number", "string"), _C + "region"), (ARRAY_TOO_SHORT, "data.observes"))
case("many-stomp",
     {"data": {"type": "integration", "integration_type": "stomp", "name": "s", "enabled": 0,
               "configuration": {"password": 1, "destination": 2},
               "observes": ["order.paid", "x"]}},
     (TYPE("number", "boolean"), "data.enabled"), (MISSING("addresses"), _C + "addresses"),
     (TYPE("number", "string"), _C + "destination"), (TYPE("number", "string"), _C + "password"),
     (ENUM("x"), "data.observes[1]"))
case("bad-integration-type-and-name",
     body(integration_type="email", name=None, observes=["order.paid", "order.nope"]),
     (ENUM("email"), "data.integration_type"), (MISSING("name"), "data.name"),
     (ENUM("order.nope"), "data.observes[1]"))

assert len({c["id"] for c in CREATE_CASES}) == len(CREATE_CASES)

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
