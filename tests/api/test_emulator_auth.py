"""Every route of the emulator's controls takes the caller's bearer token: 401 without a valid one,
403 for an implicit token (the sink itself takes none; a sink's list takes any valid token)."""
import pytest

from support import errors_of, one_error

JOB = "00000000-0000-4000-8000-000000000000"
STORE_ROUTES = [
    ("POST", "/emulator/v1/events"), ("POST", "/emulator/v1/reset"), ("POST", "/emulator/v1/jobs/flush"),
    ("POST", f"/emulator/v1/jobs/{JOB}/resend"), ("GET", "/emulator/v1/deliveries"),
    ("GET", "/emulator/v1/faults"), ("PUT", "/emulator/v1/faults"), ("DELETE", "/emulator/v1/faults"),
    ("GET", "/emulator/v1/state"), ("PUT", "/emulator/v1/state"),
]


@pytest.mark.parametrize("method,path", STORE_ROUTES)
def test_a_token_of_the_store_is_needed(server, method, path):
    one_error(server.request(method, path), 401, "Unable to validate access token")
    one_error(server.request(method, path, headers={"Authorization": "Bearer nope"}), 401,
              "Unable to validate access token")
    implicit = server.token(grant="implicit", secret=None)
    one_error(server.request(method, path, headers={"Authorization": f"Bearer {implicit}"}), 403, "Forbidden")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_sinks_list_takes_any_valid_token(server, method):
    path = "/emulator/v1/sinks/any/requests"
    one_error(server.request(method, path), 401, "Unable to validate access token")
    implicit = server.token(grant="implicit", secret=None)
    assert server.request(method, path, headers={"Authorization": f"Bearer {implicit}"}).status_code in (200, 204)


def test_the_sink_takes_no_token(server):
    assert server.request("POST", "/emulator/v1/sink/open").status_code == 200


@pytest.mark.parametrize("path", ["/emulator/v1/faults", "/emulator/v1/state"])
def test_a_body_that_is_not_json(client, path):
    (e,) = errors_of(client.put(path, raw=b'{"data": ['), 400)
    assert e["title"] == "Bad Request" and e["detail"].startswith("Request body is not valid JSON"), e
