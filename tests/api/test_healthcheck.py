"""`integrationsd --healthcheck` (the container HEALTHCHECK): asks /health of the server that the
same flags and environment describe, exits 0 when it is healthy and 1 otherwise."""
from support import run_binary


def test_healthcheck_of_a_running_server(server):
    r = run_binary(["--healthcheck", "--port", str(server.port)])
    assert r.returncode == 0, r.stderr
    r = run_binary(["--healthcheck"], env={"INTEGRATIONSD_PORT": str(server.port)})
    assert r.returncode == 0, r.stderr
    r = run_binary(["--healthcheck", "--bind", "0.0.0.0", "--port", str(server.port)])
    assert r.returncode == 0, r.stderr  # a wildcard bind is asked through loopback


def test_healthcheck_without_a_server_fails(make_server):
    srv = make_server()
    port = srv.port
    assert srv.stop() == 0
    srv.exit_codes.clear()
    r = run_binary(["--healthcheck", "--port", str(port)])
    assert r.returncode == 1
    assert b"healthcheck" in r.stderr and b"/health" in r.stderr
