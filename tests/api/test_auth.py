"""§2 Authentication: tokens, bearer headers, clients and stores."""
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import body_json, one_error, valid_data

TOKEN = "/oauth/access_token"
HEX32 = re.compile(r"^[0-9a-fA-F]{32,}$")
TOKEN_KEYS = {"expires", "identifier", "expires_in", "access_token", "token_type"}
NO_TOKEN = "Unable to validate access token"


def assert_token(r, identifier, ttl=3600):
    b = body_json(r, 200)
    assert set(b) == TOKEN_KEYS, b
    assert b["identifier"] == identifier
    assert b["token_type"] == "Bearer"
    assert type(b["expires_in"]) is int and b["expires_in"] == ttl, b
    assert type(b["expires"]) is int, b
    assert abs(b["expires"] - (time.time() + ttl)) <= 30, f"expires not absolute now+{ttl}: {b}"
    assert isinstance(b["access_token"], str) and HEX32.match(b["access_token"]), b
    return b["access_token"]


# --- §2.1 token endpoint -----------------------------------------------------------------------

def test_client_credentials_form(server):
    r = server.request("POST", TOKEN, data={"grant_type": "client_credentials",
                                            "client_id": str(uuid.uuid4()), "client_secret": "x"})
    tok = assert_token(r, "client_credentials")
    assert server.request("GET", "/v2/integrations", headers={"Authorization": f"Bearer {tok}"}).status_code == 200


def test_client_credentials_json(server):
    r = server.token_response(as_json=True)
    tok = assert_token(r, "client_credentials")
    assert server.request("GET", "/v2/integrations", headers={"Authorization": f"Bearer {tok}"}).status_code == 200


def test_client_credentials_form_encoded_values(server):
    # percent-encoding and '+' in form values are decoded: the same secret must match again
    cid = f"client {uuid.uuid4()}"
    secret = "p@ss word+&="
    body = "grant_type=client_credentials&client_id=" + cid.replace(" ", "+") + \
           "&client_secret=p%40ss+word%2B%26%3D"
    r = server.request("POST", TOKEN, data=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_token(r, "client_credentials")
    r = server.request("POST", TOKEN, data={"grant_type": "client_credentials", "client_id": cid,
                                            "client_secret": secret})
    assert_token(r, "client_credentials")


def test_tokens_are_distinct(server):
    cid = str(uuid.uuid4())
    toks = {server.token(cid) for _ in range(3)} | {server.token() for _ in range(3)}
    assert len(toks) == 6


def test_implicit_grant(server):
    r = server.request("POST", TOKEN, data={"grant_type": "implicit", "client_id": str(uuid.uuid4())})
    assert_token(r, "implicit")


def test_implicit_grant_for_existing_client(server):
    c = server.client()
    r = server.request("POST", TOKEN, data={"grant_type": "implicit", "client_id": c.client_id})
    assert_token(r, "implicit")


def test_token_ttl_flag(make_server):
    s = make_server(["--token-ttl", "120"])
    assert_token(s.token_response(), "client_credentials", ttl=120)
    assert_token(s.token_response(grant="implicit", secret=None), "implicit", ttl=120)


TOKEN_401 = [
    ("unknown-grant", {"grant_type": "password", "client_id": "c", "client_secret": "s"}),
    ("refresh-grant", {"grant_type": "refresh_token", "client_id": "c", "client_secret": "s"}),
    ("grant-case", {"grant_type": "Client_Credentials", "client_id": "c", "client_secret": "s"}),
    ("no-grant", {"client_id": "c", "client_secret": "s"}),
    ("no-client-id", {"grant_type": "client_credentials", "client_secret": "s"}),
    ("no-secret", {"grant_type": "client_credentials", "client_id": "{new}"}),
    ("implicit-no-client-id", {"grant_type": "implicit"}),
    ("empty-body", {}),
]


@pytest.mark.parametrize("name,form", TOKEN_401, ids=[t[0] for t in TOKEN_401])
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_token_401(server, name, form, as_json):
    form = {k: (str(uuid.uuid4()) if v == "{new}" else v) for k, v in form.items()}
    if as_json:
        r = server.request("POST", TOKEN, json=form)
    else:
        r = server.request("POST", TOKEN, data=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    e = one_error(r, 401, "Unauthorized")
    assert isinstance(e.get("detail"), str) and e["detail"]


def test_token_wrong_secret_for_known_client_open_mode(server):
    cid = str(uuid.uuid4())
    server.token(cid, "right")
    one_error(server.token_response(cid, "wrong"), 401, "Unauthorized")
    one_error(server.token_response(cid, ""), 401, "Unauthorized")
    assert server.token(cid, "right")


def test_token_unparseable_json_400(server):
    r = server.request("POST", TOKEN, data=b'{"grant_type":', headers={"Content-Type": "application/json"})
    one_error(r, 400)


def test_configured_clients(make_server):
    s = make_server(["--clients", "alpha:secret1,beta:s2"])
    mode = s.stdout_text.split("listening on")[0].lower()
    assert "configured" in mode and "open" not in mode, s.stdout_text
    assert_token(s.token_response("alpha", "secret1"), "client_credentials")
    assert_token(s.token_response("beta", "s2", as_json=True), "client_credentials")
    one_error(s.token_response("alpha", "s2"), 401, "Unauthorized")
    one_error(s.token_response("alpha", "secret"), 401, "Unauthorized")
    one_error(s.token_response("gamma", "secret1"), 401, "Unauthorized")
    one_error(s.token_response(str(uuid.uuid4()), "x"), 401, "Unauthorized")
    one_error(s.token_response("gamma", None, "implicit"), 401, "Unauthorized")
    assert_token(s.token_response("alpha", None, "implicit"), "implicit")
    # configured clients are separate stores
    a = s.client("alpha", "secret1")
    b = s.client("beta", "s2")
    iid = a.create()["id"]
    assert a.get(f"/v2/integrations/{iid}").status_code == 200
    one_error(b.get(f"/v2/integrations/{iid}"), 404, "Integration not found")


def test_configured_clients_from_env(make_server):
    s = make_server(env={"INTEGRATIONSD_CLIENTS": "envclient:envsecret"})
    assert_token(s.token_response("envclient", "envsecret"), "client_credentials")
    one_error(s.token_response("other", "envsecret"), 401, "Unauthorized")


# --- §2.2 bearer tokens ------------------------------------------------------------------------

BEARER_OK = [
    ("Bearer", lambda t: {"Authorization": f"Bearer {t}"}),
    ("bearer", lambda t: {"Authorization": f"bearer {t}"}),
    ("BEARER", lambda t: {"Authorization": f"BEARER {t}"}),
    ("BeArEr", lambda t: {"Authorization": f"BeArEr {t}"}),
    ("Bearer-colon-header", lambda t: {"Bearer": t}),
    ("bearer-colon-header-lower", lambda t: {"bearer": t}),
]


@pytest.mark.parametrize("name,headers", BEARER_OK, ids=[b[0] for b in BEARER_OK])
def test_bearer_variants_accepted(server, client, name, headers):
    iid = client.create()["id"]
    r = server.request("GET", "/v2/integrations", headers=headers(client.token))
    b = body_json(r, 200)
    assert [d["id"] for d in b["data"]] == [iid]
    r = server.request("GET", f"/v2/integrations/{iid}", headers=headers(client.token))
    assert body_json(r, 200)["data"]["id"] == iid


BEARER_BAD = [
    ("missing", lambda t: {}),
    ("empty-authorization", lambda t: {"Authorization": ""}),
    ("bearer-no-token", lambda t: {"Authorization": "Bearer"}),
    ("bearer-space-only", lambda t: {"Authorization": "Bearer "}),
    ("unknown-token", lambda t: {"Authorization": "Bearer " + "ab" * 20}),
    ("not-hex", lambda t: {"Authorization": "Bearer not-a-token"}),
    ("token-with-suffix", lambda t: {"Authorization": f"Bearer {t}x"}),
    ("token-prefix-only", lambda t: {"Authorization": f"Bearer {t[:-1]}"}),
    ("no-scheme", lambda t: {"Authorization": t}),
    ("basic-scheme", lambda t: {"Authorization": f"Basic {t}"}),
    ("token-scheme", lambda t: {"Authorization": f"Token {t}"}),
    ("empty-bearer-header", lambda t: {"Bearer": ""}),
    ("bearer-header-unknown", lambda t: {"Bearer": "0" * 40}),
]

V2_ENDPOINTS = [
    ("POST", "/v2/integrations"), ("GET", "/v2/integrations"), ("GET", "/v2/integrations/{id}"),
    ("PUT", "/v2/integrations/{id}"), ("DELETE", "/v2/integrations/{id}"),
    ("GET", "/v2/integrations/logs"), ("GET", "/v2/integrations/{id}/logs"),
    ("GET", "/v2/integrations/{id}/jobs"), ("GET", "/v2/integrations/{id}/jobs/{job}/logs"),
    ("GET", "/v2/integrations/attributes"),
]


@pytest.mark.parametrize("name,headers", BEARER_BAD, ids=[b[0] for b in BEARER_BAD])
def test_bad_bearer_401(server, client, name, headers):
    iid = client.create()["id"]
    r = server.request("GET", f"/v2/integrations/{iid}", headers=headers(client.token))
    e = one_error(r, 401, NO_TOKEN)
    assert isinstance(e.get("detail"), str) and e["detail"]


@pytest.mark.parametrize("method,path", V2_ENDPOINTS, ids=[f"{m} {p}" for m, p in V2_ENDPOINTS])
def test_every_v2_endpoint_needs_a_token(server, client, method, path):
    iid = client.create()["id"]
    p = path.replace("{id}", iid).replace("{job}", str(uuid.uuid4()))
    kw = {"json": {"data": valid_data()}} if method in ("POST", "PUT") else {}
    one_error(server.request(method, p, **kw), 401, NO_TOKEN)
    one_error(server.request(method, p, headers={"Authorization": "Bearer " + "f" * 40}, **kw), 401, NO_TOKEN)
    # nothing happened
    r = client.get(f"/v2/integrations/{iid}")
    assert r.status_code == 200 and r.json()["data"]["name"] == valid_data()["name"]
    assert client.get("/v2/integrations").json()["results"]["total"] == 1


@pytest.mark.parametrize("method,path", V2_ENDPOINTS[:9], ids=[f"{m} {p}" for m, p in V2_ENDPOINTS[:9]])
def test_implicit_token_forbidden_on_integrations(server, client, method, path):
    iid = client.create()["id"]
    imp = server.token(client.client_id, None, "implicit")
    p = path.replace("{id}", iid).replace("{job}", str(uuid.uuid4()))
    kw = {"json": {"data": valid_data()}} if method in ("POST", "PUT") else {}
    e = one_error(server.request(method, p, headers={"Authorization": f"Bearer {imp}"}, **kw), 403, "Forbidden")
    assert isinstance(e.get("detail"), str) and e["detail"]
    r = client.get(f"/v2/integrations/{iid}")
    assert r.status_code == 200 and r.json()["data"]["name"] == valid_data()["name"]
    assert client.get("/v2/integrations").json()["results"]["total"] == 1


def test_expired_token_401(make_server):
    s = make_server(["--token-ttl", "1"])
    c = s.client()
    time.sleep(2.2)
    one_error(c.get("/v2/integrations"), 401, NO_TOKEN)
    # a new token for the same client works (and sees the same store)
    c2 = s.client(c.client_id, c.secret)
    assert c2.get("/v2/integrations").status_code == 200


def test_new_token_does_not_revoke_old(server):
    c1 = server.client()
    c2 = server.client(c1.client_id, c1.secret)
    assert c1.token != c2.token
    iid = c1.create()["id"]
    for c in (c1, c2):
        assert body_json(c.get(f"/v2/integrations/{iid}"), 200)["data"]["id"] == iid
    implicit = server.token(c1.client_id, None, "implicit")
    assert implicit not in (c1.token, c2.token)
    assert c1.get("/v2/integrations").status_code == 200


def test_parallel_first_token_requests_same_new_client(server):
    cid = str(uuid.uuid4())
    with ThreadPoolExecutor(16) as ex:
        rs = list(ex.map(lambda _: server.token_response(cid, "same"), range(16)))
    toks = [assert_token(r, "client_credentials") for r in rs]
    assert len(set(toks)) == 16
    # all tokens name the same store
    first = server.client(cid, "same")
    iid = first.create()["id"]
    for t in toks:
        r = server.request("GET", f"/v2/integrations/{iid}", headers={"Authorization": f"Bearer {t}"})
        assert r.status_code == 200, r.text


# --- §2.3 stores -------------------------------------------------------------------------------

def test_store_isolation(server):
    a = server.client()
    b = server.client()
    ia = a.create(name="A's")["id"]
    ib = b.create(name="B's")["id"]
    base = "/v2/integrations"
    for r in [b.get(f"{base}/{ia}"),
              b.put(f"{base}/{ia}", {"data": {"type": "integration", "name": "stolen"}}),
              b.delete(f"{base}/{ia}"),
              b.get(f"{base}/{ia}/logs"),
              b.get(f"{base}/{ia}/jobs"),
              b.get(f"{base}/{ia}/jobs/{uuid.uuid4()}/logs")]:
        one_error(r, 404, "Integration not found")
    lb = body_json(b.get(base), 200)
    assert [d["id"] for d in lb["data"]] == [ib]
    assert lb["results"]["total"] == 1 and lb["meta"]["results"]["total"] == 1
    la = body_json(a.get(base), 200)
    assert [d["id"] for d in la["data"]] == [ia]
    assert body_json(a.get(f"{base}/{ia}"), 200)["data"]["name"] == "A's"
    # a foreign id answers exactly as a missing one
    unknown = b.get(f"{base}/{uuid.uuid4()}")
    foreign = b.get(f"{base}/{ia}")
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json()["errors"][0]["title"] == foreign.json()["errors"][0]["title"]
    assert body_json(b.get(f"{base}/logs"), 200)["data"] == []


def test_restart_in_configured_mode_revokes_open_mode_tokens(make_server, tmp_path):
    """A token issued in open mode to a client that is not configured stops working when the
    server restarts with --clients; a configured client's token stays good."""
    db = str(tmp_path / "shared.sqlite")
    opened = make_server(db=db, name="open")
    intruder = opened.token("intruder", "anything")
    shop = opened.token("shop", "s3cret")
    headers = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    assert opened.request("GET", "/v2/integrations", headers=headers(intruder)).status_code == 200
    opened.stop()
    configured = make_server(["--clients", "shop:s3cret"], db=db, name="configured")
    one_error(configured.request("GET", "/v2/integrations", headers=headers(intruder)), 401,
              "Unable to validate access token")
    assert configured.request("GET", "/v2/integrations", headers=headers(shop)).status_code == 200
