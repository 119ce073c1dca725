"""Kept totals and retention, black box: the total of every list (jobs, the three log lists, the
wire journal) equals the rows paged through after events, attempts, resends, deletes, reset,
PUT state and pruning; with a retention of seconds (--retention takes decimal days), finished
jobs go with their logs, records and events, pending ones stay, and expired tokens go."""
import sqlite3
import time

from support import body_json, run_binary

SINK = "/emulator/v1/sink/"


def hook(server, name, query="", observes=("order.fulfilled",)):
    return {"type": "integration", "integration_type": "webhook", "name": name, "enabled": True,
            "configuration": {"url": f"{server.base}{SINK}{name}{query}"}, "observes": list(observes)}


def emit(client, trigger="order.fulfilled"):
    r = client.post("/emulator/v1/events", {"data": {"type": "event", "trigger": trigger}})
    return body_json(r, 202)["data"]


def page_through(client, path, limit=4, **params):
    """Every row of a list, page by page; asserts that each page states the same total and that
    it is the number of rows. Returns the rows."""
    rows, totals, offset = [], set(), 0
    while True:
        q = dict(params, **{"page[limit]": limit, "page[offset]": offset})
        b = body_json(client.get(path, params=q), 200)
        totals.add(b["meta"]["results"]["total"])
        totals.add(b["results"]["total"])
        rows += b["data"]
        if len(b["data"]) < limit:
            break
        offset += limit
    assert totals == {len(rows)}, f"{path} {params}: totals {totals}, rows {len(rows)}"
    return rows


def total(client, path, **params):
    return len(page_through(client, path, **params))


def wait_for(fn, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def check_all(client, integrations):
    """Every list's total against its rows; returns {integration id: (jobs, logs, records)}."""
    out = {}
    total(client, "/v2/integrations")
    total(client, "/v2/integrations/logs")
    total(client, "/emulator/v1/deliveries")
    for trigger in ("order.fulfilled", "order.paid"):
        total(client, "/emulator/v1/deliveries", trigger=trigger)
    for ok in ("true", "false"):
        total(client, "/emulator/v1/deliveries", succeeded=ok)
    for iid in integrations:
        jobs = page_through(client, f"/v2/integrations/{iid}/jobs")
        logs = total(client, f"/v2/integrations/{iid}/logs")
        records = total(client, "/emulator/v1/deliveries", integration_id=iid)
        total(client, "/emulator/v1/deliveries", integration_id=iid, succeeded="false")
        for job in jobs[:3]:
            total(client, f"/v2/integrations/{iid}/jobs/{job['id']}/logs")
            total(client, "/emulator/v1/deliveries", job_id=job["id"])
        out[iid] = (len(jobs), logs, records)
    return out


def count_now(client, path):
    """A list's total read from one page, -1 when the page does not hold every row. For waiting:
    while attempts arrive or the prune runs, a total may change between the pages of a
    page_through, whose checks are for once it has settled."""
    b = body_json(client.get(path, params={"page[limit]": 100}), 200)
    return b["results"]["total"] if len(b["data"]) == b["results"]["total"] else -1


def settled(client, expected_logs):
    return lambda: count_now(client, "/v2/integrations/logs") == expected_logs and \
        count_now(client, "/emulator/v1/deliveries") == expected_logs


def test_totals_follow_every_change(make_server):
    server = make_server(args=["--retry-schedule", "0,0.1", "--delivery-timeout", "2"])
    client = server.client()
    good = client.create(hook(server, "good"))["id"]
    bad = client.create(hook(server, "bad", "?status=500"))["id"]
    for _ in range(5):
        emit(client)
    emit(client, "order.paid")                       # nobody observes it: no job
    wait_for(settled(client, 5 + 10), "15 attempts")
    assert check_all(client, [good, bad]) == {good: (5, 5, 5), bad: (5, 10, 10)}

    # a resend: one more log and record
    job = page_through(client, f"/v2/integrations/{bad}/jobs")[0]["id"]
    body_json(client.post(f"/emulator/v1/jobs/{job}/resend"), 202)
    wait_for(settled(client, 16), "the resent attempt")
    assert check_all(client, [good, bad])[bad] == (5, 11, 11)
    assert total(client, f"/v2/integrations/{bad}/jobs/{job}/logs") == 3

    # a deleted integration keeps its jobs, logs and records in the store's lists
    assert client.delete(f"/v2/integrations/{good}").status_code == 200
    assert total(client, "/v2/integrations/logs") == 16
    assert total(client, "/emulator/v1/deliveries", integration_id=good) == 5
    assert client.get(f"/v2/integrations/{good}/jobs").status_code == 404

    # another store is counted apart
    other = server.client()
    other_id = other.create(hook(server, "other"))["id"]
    emit(other)
    wait_for(settled(other, 1), "the other store's attempt")
    assert check_all(other, [other_id]) == {other_id: (1, 1, 1)}

    # reset: every total is 0, then counts again from there
    assert client.post("/emulator/v1/reset").status_code == 204
    assert total(client, "/v2/integrations/logs") == 0 and total(client, "/emulator/v1/deliveries") == 0
    again = client.create(hook(server, "again"))["id"]
    emit(client)
    wait_for(settled(client, 1), "one attempt after the reset")
    assert check_all(client, [again]) == {again: (1, 1, 1)}

    # PUT state: the store emptied as by a reset, its integrations replaced
    state = body_json(client.get("/emulator/v1/state"), 200)
    assert client.put("/emulator/v1/state", state).status_code == 200
    assert check_all(client, [again]) == {again: (0, 0, 0)}
    emit(client)
    emit(client)
    wait_for(settled(client, 2), "two attempts after PUT state")
    assert check_all(client, [again]) == {again: (2, 2, 2)}
    assert check_all(other, [other_id]) == {other_id: (1, 1, 1)}   # untouched throughout


def db_rows(server, sql, *args):
    conn = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


RETENTION_DAYS = "0.00004"   # 3.456 s: a test's "days"
JOB_RETENTION_DAYS = "0.00008"   # 6.9 s: room for the checks made before it passes, on a busy machine


def test_finished_jobs_go_pending_ones_stay(make_server):
    # bad's jobs fail once and wait an hour for their second attempt: pending throughout
    server = make_server(args=["--retention", JOB_RETENTION_DAYS, "--retry-schedule", "0,3600"])
    client = server.client()
    good = client.create(hook(server, "good", observes=("order.fulfilled", "order.paid")))["id"]
    bad = client.create(hook(server, "bad", "?status=500"))["id"]
    for _ in range(3):
        emit(client)                                 # good + bad
    paid = emit(client, "order.paid")["id"]          # good alone: its event goes with its job
    wait_for(settled(client, 4 + 3), "7 attempts")
    # young: nothing goes yet
    assert check_all(client, [good, bad]) == {good: (4, 4, 4), bad: (3, 3, 3)}
    assert db_rows(server, "SELECT count(*) FROM events") == [(4,)]

    wait_for(lambda: count_now(client, f"/v2/integrations/{good}/jobs") == 0, "good's jobs pruned")
    assert check_all(client, [good, bad]) == {good: (0, 0, 0), bad: (3, 3, 3)}
    assert total(client, "/v2/integrations/logs") == 3
    assert total(client, "/emulator/v1/deliveries") == 3
    # the events of bad's pending jobs stay; order.paid's, whose only job went, is gone
    events = [e for (e,) in db_rows(server, "SELECT id FROM events")]
    assert len(events) == 3 and paid not in events
    # the kept totals match the rows
    assert db_rows(server, "SELECT sum(jobs), sum(logs), sum(deliveries) FROM counts WHERE integration_id = ''") == \
        [(3, 3, 3)]

    # a pending job stays whatever its age; once it ends, its retention starts
    time.sleep(float(JOB_RETENTION_DAYS) * 86400 + 0.5)
    assert check_all(client, [good, bad])[bad] == (3, 3, 3)
    assert client.put(f"/v2/integrations/{bad}", {"data": {"type": "integration", "enabled": False}}
                      ).status_code == 200              # cancels its pending jobs
    wait_for(lambda: count_now(client, "/v2/integrations/logs") == 0, "bad's cancelled jobs pruned")
    assert check_all(client, [good, bad]) == {good: (0, 0, 0), bad: (0, 0, 0)}
    assert db_rows(server, "SELECT count(*) FROM events") == [(0,)]
    assert db_rows(server, "SELECT count(*) FROM counts WHERE integration_id <> ''") == [(0,)]

    # the retention applies again to what comes next
    assert client.put(f"/v2/integrations/{bad}", {"data": {"type": "integration", "enabled": True}}
                      ).status_code == 200
    emit(client)
    wait_for(settled(client, 2), "two new attempts")
    assert check_all(client, [good, bad]) == {good: (1, 1, 1), bad: (1, 1, 1)}


def test_retention_zero_keeps_everything(make_server):
    server = make_server(args=["--retention", "0"])
    client = server.client()
    good = client.create(hook(server, "good"))["id"]
    emit(client)
    wait_for(settled(client, 1), "one attempt")
    time.sleep(1.0)
    assert check_all(client, [good]) == {good: (1, 1, 1)}


def test_expired_tokens_go_after_a_grace(make_server):
    server = make_server(args=["--retention", RETENTION_DAYS, "--token-ttl", "1"])
    token = server.token()
    assert db_rows(server, "SELECT count(*) FROM tokens WHERE token = ?", token) == [(1,)]
    # expired after 1 s, kept for the grace (the retention when under a minute), then gone
    wait_for(lambda: db_rows(server, "SELECT count(*) FROM tokens WHERE token = ?", token) == [(0,)],
             "the expired token pruned")
    live = make_server(args=["--retention", RETENTION_DAYS])          # tokens of an hour stay
    t = live.token()
    time.sleep(float(RETENTION_DAYS) * 86400 + 1)
    assert db_rows(live, "SELECT count(*) FROM tokens WHERE token = ?", t) == [(1,)]
    r = live.request("GET", "/v2/integrations", headers={"Authorization": f"Bearer {t}"})
    assert r.status_code == 200


def test_retention_flag_and_env(make_server):
    for bad in ("-1", "abc", "36501", ""):
        r = run_binary(["--retention", bad])
        assert r.returncode == 2, (bad, r)
        assert b"--retention" in r.stderr
    r = run_binary([], env={"INTEGRATIONSD_RETENTION": "x"})
    assert r.returncode == 2 and b"INTEGRATIONSD_RETENTION" in r.stderr
    assert b"--retention DAYS" in run_binary(["--help"]).stdout
    s = make_server(env={"INTEGRATIONSD_RETENTION": "30"})
    assert s.request("GET", "/health").status_code == 200


def test_an_older_database_gets_its_totals(make_server, tmp_path):
    """A database of schema 8 with jobs, logs and records: the upgrade counts them."""
    first = make_server(args=["--retention", "0"])
    client = first.client()
    good = client.create(hook(first, "good"))["id"]
    bad = client.create(hook(first, "bad", "?status=500"))["id"]
    for _ in range(3):
        emit(client)
    wait_for(settled(client, 6), "6 attempts")   # bad's jobs: pending after their first attempt
    first.stop()
    conn = sqlite3.connect(first.db)
    conn.executescript("DROP TABLE counts; DROP INDEX jobs_finished; DROP INDEX jobs_by_event; "
                       "DROP INDEX deliveries_by_integration; DROP INDEX deliveries_by_job; "
                       "DROP INDEX resends_by_job; ALTER TABLE jobs DROP COLUMN log_count; "
                       "ALTER TABLE jobs DROP COLUMN last_activity_at; PRAGMA user_version = 8;")
    conn.close()
    first.start()
    client.token = first.token(client.client_id, client.secret)
    assert check_all(client, [good, bad]) == {good: (3, 3, 3), bad: (3, 3, 3)}
    assert total(client, "/v2/integrations/logs") == 6
