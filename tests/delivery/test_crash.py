"""§7 at-least-once delivery across crashes (SIGKILL) and clean stops (SIGTERM, §9)."""
import collections
import signal
import time

from dsupport import emit, hook, job_for, job_logs, wait_logs, wait_until
from receiver import hang, ok, status

QUIET = 0.8


def kill9(srv):
    rc = srv.stop(sig=signal.SIGKILL)
    assert rc == -signal.SIGKILL, f"expected death by SIGKILL, got {rc}"
    srv.exit_codes.remove(rc)     # the only exit status that is not 0 on purpose


def test_sigkill_with_failing_jobs_then_restart_delivers_every_job_once_per_attempt(make_server, receiver):
    srv = make_server(schedule="0," + ",".join(["0.3"] * 30), timeout="2")
    c = srv.client()
    it = c.create(hook(receiver, "/crash"))
    receiver.set("/crash", status(500, b"down", delay=0.1))
    jobs = [job_for(emit(c, "order.fulfilled", {"data": {"type": "order", "id": f"o{i}"}}), it["id"])
            for i in range(6)]

    def every_job_tried_twice():
        n = collections.Counter(r.json["id"] for r in receiver.requests("/crash"))
        return all(n[j] >= 2 for j in jobs)
    wait_until(every_job_tried_twice, what="two attempts of every job")
    kill9(srv)
    before = len(receiver.requests("/crash"))

    receiver.set("/crash", ok(b"up"))
    srv.start()                                   # same database

    def delivered():
        done = {r.json["id"] for r in receiver.requests("/crash") if r.answered.is_set() and r.status == 200}
        return done >= set(jobs)
    wait_until(delivered, what="every job delivered after the restart")
    for j in jobs:  # the receiver answered: the outcome's log follows in the worker's next commit
        top = wait_until(lambda: (lambda l: l if l and l[0]["succeeded"] else None)(job_logs(c, it["id"], j)),
                         what=f"the successful attempt's log of {j}")[0]
        assert top["succeeded"] is True and top["status_code"] == 200, top
    time.sleep(QUIET)

    reqs = receiver.requests("/crash")
    assert len(reqs) > before
    pairs = [(r.json["id"], r.json["attempt"]) for r in reqs]
    dupes = [p for p, n in collections.Counter(pairs).items() if n > 1]
    assert not dupes, f"(job id, attempt) delivered twice: {dupes}"
    assert {p[0] for p in pairs} == set(jobs)
    for j in jobs:
        seq = [a for (jid, a) in pairs if jid == j]
        assert seq == sorted(seq), f"attempt numbers of {j} went backwards: {seq}"
        oks = [r for r in reqs if r.json["id"] == j and r.status == 200]
        assert len(oks) == 1, f"job {j} succeeded {len(oks)} times"
        assert oks[0].json["attempt"] == max(seq), f"attempts after the success: {seq}"


def test_sigkill_before_the_first_attempt_loses_no_job(make_server, receiver):
    srv = make_server(schedule="1.5,0.2")        # the first attempt waits 1.5 s
    c = srv.client()
    it = c.create(hook(receiver, "/queued"))
    jobs = [job_for(emit(c, "order.fulfilled"), it["id"]) for _ in range(3)]
    kill9(srv)
    assert receiver.requests("/queued") == [], "the first attempt came before its delay"
    srv.start()
    got = receiver.wait_for(3, "/queued")
    assert sorted(r.json["id"] for r in got) == sorted(jobs)
    assert [r.json["attempt"] for r in got] == [1, 1, 1]
    time.sleep(QUIET)
    assert len(receiver.requests("/queued")) == 3


def test_sigterm_during_a_hanging_attempt_exits_0_and_the_job_is_delivered_after_restart(
        make_server, receiver):
    srv = make_server(schedule="0,0.2,0.2", timeout="8")
    c = srv.client()
    it = c.create(hook(receiver, "/hang"))
    receiver.set("/hang", hang(), ok(b"fine"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(1, "/hang")
    t0 = time.monotonic()
    srv.restart()                 # asserts exit status 0 on SIGTERM
    assert time.monotonic() - t0 < 7, "SIGTERM waited for the hanging delivery to time out"
    got = receiver.wait_for(2, "/hang")
    assert got[1].json["id"] == job
    assert got[1].json["attempt"] > got[0].json["attempt"] == 1, [g.json["attempt"] for g in got]
    top = wait_logs(c, it["id"], job, 2)[0]     # the interrupted attempt has its own log
    assert top["succeeded"] is True and top["attempt"] == got[1].json["attempt"]


def test_every_attempt_has_a_log_even_when_interrupted(make_server, receiver):
    """§7 'Every attempt writes one log': an attempt cut short by SIGTERM is logged as failed, and
    the numbering of the logs has no gap after the restart."""
    srv = make_server(schedule="0,0.2,0.2", timeout="8")
    c = srv.client()
    it = c.create(hook(receiver, "/cut"))
    receiver.set("/cut", hang(), ok(b"fine"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(1, "/cut")
    srv.restart()
    receiver.wait_for(2, "/cut")
    logs = wait_logs(c, it["id"], job, 2)
    assert [g["attempt"] for g in logs] == [2, 1], logs
    assert logs[1]["succeeded"] is False and logs[1]["status_code"] is None
    assert logs[1]["error_detail"] == "Attempt interrupted: the server was shutting down"
    assert logs[0]["succeeded"] is True


def test_attempt_under_way_at_a_crash_is_logged_after_restart(make_server, receiver):
    """kill -9 during an attempt: the next start writes that attempt's log and tries again."""
    srv = make_server(schedule="0,0.2,0.2", timeout="8")
    c = srv.client()
    it = c.create(hook(receiver, "/crash"))
    receiver.set("/crash", hang(), ok(b"fine"))
    job = job_for(emit(c, "order.fulfilled"), it["id"])
    receiver.wait_for(1, "/crash")
    kill9(srv)
    srv.start()
    got = receiver.wait_for(2, "/crash")
    assert got[1].json["attempt"] == 2
    logs = wait_logs(c, it["id"], job, 2)
    assert [g["attempt"] for g in logs] == [2, 1], logs
    assert logs[1]["succeeded"] is False and "server stopped during this attempt" in logs[1]["error_detail"]
    assert logs[0]["succeeded"] is True
