"""The README's curl walkthrough, run as written (bash + curl) against the real binary: every
answer must be the one the spec and the README promise."""
import json
import os
import re
import subprocess

from support import REPO, UUID4_RE


def walkthrough_script(base):
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Walkthrough with curl"):]
    blocks = re.findall(r"```sh\n(.*?)```", section[:section.index("\n## ", 5)], re.S)
    assert len(blocks) == 2, "the walkthrough and the bad-create example"
    script = "\n".join(blocks)
    assert "B=http://127.0.0.1:8080" in script
    return "set -eu\n" + script.replace("B=http://127.0.0.1:8080", f"B={base}")


def json_documents(text):
    """The JSON documents curl printed one after another."""
    decoder, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = decoder.raw_decode(text, i)
        docs.append(doc)
    return docs


def test_readme_walkthrough(server):
    r = subprocess.run(["bash", "-c", walkthrough_script(server.base)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    (created,) = json_documents(r.stderr)
    data = created["data"]
    assert UUID4_RE.match(data["id"])
    assert (data["name"], data["enabled"], data["observes"]) == ("Order shipping notification", True,
                                                                 ["order.fulfilled"])
    assert data["description"] == "Send a shipping notification via email with discount code."
    assert data["configuration"] == {"url": "https://yourwebsite.com/order-created-notification"}
    assert data["links"]["self"] == f"{server.base}/v2/integrations/{data['id']}"

    listed, got, updated, deleted, gone, bad = json_documents(r.stdout)
    assert listed["results"]["total"] == 1 and listed["data"][0]["id"] == data["id"]
    assert listed["meta"]["page"] == {"limit": 25, "offset": 0, "current": 1, "total": 1}
    assert got == created
    assert updated["data"]["enabled"] is False
    assert updated["data"]["observes"] == ["order.fulfilled", "order.paid"]
    assert updated["data"]["name"] == "Order shipping notification"
    assert deleted == {"data": {"type": "integration", "id": data["id"]}}
    assert gone["errors"][0]["status"] == 404 and gone["errors"][0]["title"] == "Integration not found"
    assert [(e["title"], e["source"]) for e in bad["errors"]] == [
        ("String is too short (0 chars), minimum 1", "data.name"),
        ("Missing required property: url", "data.configuration.url"),
        ('No enum match for: "nope"', "data.observes[0]"),
    ]


def ci_recipe(port):
    """The seed file and the two command blocks of "A CI test, end to end", for a server on port."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("### A CI test, end to end"):]
    section = section[:section.index("\n### ", 5)]
    (seed,) = re.findall(r"```json\n(.*?)```", section, re.S)
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the CI test and the front-end fault rule"
    base = f"http://127.0.0.1:{port}"
    seed = seed.replace("http://127.0.0.1:8080", base)
    scripts = ["set -eu\n" + b.replace("B=http://127.0.0.1:8080", f"B={base}") for b in blocks]
    assert "B=http://127.0.0.1:8080" in blocks[0]
    scripts[1] = f"B={base}\nTOKEN=$(curl -s $B/oauth/access_token -d grant_type=client_credentials " \
                 "-d client_id=storefront-ci -d client_secret=s3cret | " \
                 "sed -n 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/p')\n" + scripts[1]
    return json.loads(seed), scripts


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_ci_recipe(make_server, tmp_path):
    port = free_port()
    seed, (ci, front_end) = ci_recipe(port)
    path = tmp_path / "ci-seed.json"
    path.write_text(json.dumps(seed))
    make_server(args=["--port", str(port), "--seed", str(path), "--retry-schedule", "0"])
    for _ in range(2):  # twice: the reset puts the seed back, and the same steps pass again
        r = subprocess.run(["bash", "-c", ci], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        event, received, journal = json_documents(r.stdout)
        (job,) = event["data"]["jobs"]
        (got,) = received["data"]                                  # the sink was cleared first
        assert json.loads(got["body"])["id"] == job["id"]
        assert got["headers"]["X-MOLTIN-INTEGRATION-TRIGGER"] == "order.fulfilled"
        (rec,) = journal["data"]                                   # the reset removed the last test's
        assert rec["job_id"] == job["id"] and rec["succeeded"] is True and rec["response"]["status"] == 200
    r = subprocess.run(["bash", "-c", front_end], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rules, forced, listed = json_documents(r.stdout)
    assert rules["data"][0]["status"] == 503
    assert forced["errors"][0]["status"] == 503
    assert [i["name"] for i in listed["data"]] == ["Orders to the sink"]
