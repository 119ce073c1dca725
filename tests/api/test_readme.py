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
