import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "api"))   # support.py of the API tests
sys.path.insert(0, HERE)

import openapi_check  # noqa: E402
from support import BIN, ServerFactory  # noqa: E402
from receiver import Receiver  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test fails when an answer it received (on any thread) does not match openapi.json."""
    outcome = yield
    openapi_check.makereport_hook(call, outcome.get_result())


def pytest_report_header(config):
    return f"integrationsd binary: {BIN}"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def make_server(tmp_path):
    """Factory for function-scoped servers; every one is stopped and checked at teardown
    (exit status 0 on SIGTERM, no sanitizer report). Fast sub-second delivery defaults."""
    factory = ServerFactory(tmp_path)

    def make(schedule="0,0.2,0.4", timeout="1", extra=(), start=True, name=None):
        args = ["--retry-schedule", schedule, "--delivery-timeout", timeout] + list(extra)
        return factory.make(args=args, start=start, name=name)

    yield make
    factory.finish_all()
