"""Persistence: a database written by an older schema (only sql/001) is upgraded in place at start."""
import glob
import hashlib
import os
import sqlite3

from support import REPO

MIGRATIONS = sorted(glob.glob(os.path.join(REPO, "sql", "*.sql")))
TOKEN = "ab" * 32
STORE = "11111111-2222-4333-8444-555555555555"
INTEGRATION = "99999999-8888-4777-8666-555555555555"


def make_v1_database(path):
    conn = sqlite3.connect(path)
    with open(MIGRATIONS[0]) as f:
        conn.executescript(f.read())
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO stores (id, created_at) VALUES (?, 0)", (STORE,))
    conn.execute("INSERT INTO clients VALUES (?, ?, ?, 0)",
                 ("old-client", hashlib.sha256(b"old-secret").hexdigest(), STORE))
    conn.execute("INSERT INTO tokens VALUES (?, 'old-client', ?, 'client_credentials', 4102444800)",
                 (TOKEN, STORE))
    conn.execute("INSERT INTO integrations VALUES (?, ?, 'webhook', 'kept', NULL, 1, ?, ?, 1525080932202, "
                 "1525080932202)",
                 (INTEGRATION, STORE, '{"url":"https://example.com/hook"}', '["order.paid"]'))
    conn.commit()
    conn.close()


def test_older_schema_is_upgraded_and_data_kept(make_server, tmp_path):
    assert len(MIGRATIONS) >= 2, "the upgrade test needs at least two migrations"
    db = str(tmp_path / "v1.sqlite")
    make_v1_database(db)
    srv = make_server(db=db)

    r = srv.request("GET", f"/v2/integrations/{INTEGRATION}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["name"] == "kept" and data["observes"] == ["order.paid"]
    assert data["meta"]["timestamps"]["created_at"] == "2018-04-30T09:35:32.202Z"
    # the secret of the old client still works, and the new tables answer
    r = srv.request("POST", "/oauth/access_token",
                    data={"grant_type": "client_credentials", "client_id": "old-client",
                          "client_secret": "old-secret"})
    assert r.status_code == 200, r.text
    r = srv.request("GET", f"/v2/integrations/{INTEGRATION}/jobs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["results"]["total"] == 0, r.text
    # the list reads the rebuilt table, and counts the old row
    r = srv.request("GET", "/v2/integrations", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == [data] and r.json()["results"]["total"] == 1
    # the observers of the old row were indexed by the upgrade: its event finds it
    r = srv.request("POST", "/emulator/v1/events", headers={"Authorization": f"Bearer {TOKEN}"},
                    json={"data": {"type": "event", "trigger": "order.paid"}})
    assert r.status_code == 202, r.text
    assert [j["integration_id"] for j in r.json()["data"]["jobs"]] == [INTEGRATION]

    conn = sqlite3.connect(db)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    assert version == len(MIGRATIONS)


def test_newer_schema_is_refused(make_server, tmp_path):
    db = str(tmp_path / "future.sqlite")
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    srv = make_server(db=db, start=False)
    try:
        srv.start()
    except AssertionError as e:
        assert "newer than this binary" in str(e)
    else:
        raise AssertionError("a database from a newer schema was opened")
