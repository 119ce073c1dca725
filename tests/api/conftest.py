import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import openapi_check  # noqa: E402
from support import BIN, Server, ServerFactory  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test fails when an answer it received (on any thread) does not match openapi.json."""
    outcome = yield
    openapi_check.makereport_hook(call, outcome.get_result())


def pytest_report_header(config):
    return f"integrationsd binary: {BIN}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One open-mode server per test module; every test uses its own store (fresh client_id)."""
    if not os.access(BIN, os.X_OK):
        pytest.fail(f"binary not found: {BIN} (run make, or set INTEGRATIONSD_BIN)")
    s = Server(tmp_path_factory.mktemp("server"))
    s.start()
    yield s
    s.finish()


@pytest.fixture
def client(server):
    """A fresh store on the module's server."""
    return server.client()


@pytest.fixture
def make_server(tmp_path):
    """Factory for function-scoped servers with their own flags; all are stopped and checked."""
    factory = ServerFactory(tmp_path)
    yield factory.make
    factory.finish_all()
