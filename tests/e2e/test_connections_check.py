"""`opspack connections check` against the served mocks, an unreachable URL and a missing secret."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from e2e_served import free_port, opspack, served_mocks, write_connections


def test_every_connection_is_ok_on_the_served_mocks_and_failures_name_the_host(tmp_path: Path) -> None:
    with served_mocks(tmp_path) as url:
        connections = write_connections(tmp_path / "connections.yaml", url)
        ok = opspack("connections", "check", "--connections", str(connections), "--json", cwd=tmp_path)
        assert ok.returncode == 0, ok.stderr
        report = json.loads(ok.stdout)
        checked = {(r["connection"], r["agent"]) for r in report["connections"]}
        assert report["ok"] and {name for name, _ in checked} == {
            "hubspot", "jsm", "msgraph", "netsuite", "okta", "salesforce", "sap", "servicenow"
        }  # fmt: skip
        assert ("sap", "ap_clerk") in checked and ("sap", "customer_intake") in checked

        document = yaml.safe_load(connections.read_text(encoding="utf-8"))
        dead = f"127.0.0.1:{free_port()}"
        document["connections"]["netsuite"]["base_url"] = f"http://{dead}"
        document["connections"]["sap"]["credentials"]["ap_clerk"]["password"] = "literal:not-the-password"
        connections.write_text(yaml.safe_dump(document), encoding="utf-8")
        bad = opspack(
            "connections",
            "check",
            "sap",
            "netsuite",
            "--connections",
            str(connections),
            "--json",
            cwd=tmp_path,
        )
    assert bad.returncode == 1, bad.stderr
    rows = {(r["connection"], r["agent"]): r for r in json.loads(bad.stdout)["connections"]}
    unreachable = rows[("netsuite", "ap_clerk")]
    assert not unreachable["ok"] and unreachable["problem"] == "unreachable"
    assert unreachable["host"] == dead and dead in unreachable["advice"] and unreachable["endpoint"]
    denied = rows[("sap", "ap_clerk")]
    assert denied["problem"] == "bad_credentials" and denied["status"] == 401
    assert "not-the-password" not in bad.stdout
    assert rows[("sap", "procurement")]["ok"]


def test_a_missing_secret_and_a_broken_file_are_reported_as_such(tmp_path: Path) -> None:
    connections = tmp_path / "connections.yaml"
    connections.write_text(
        "connections:\n  erp:\n    adapter: sap_s4hana\n    base_url: https://erp.example.invalid\n"
        "    credentials:\n      ap_clerk: {username: secret:erp/ap/user, password: secret:erp/ap/password}\n",
        encoding="utf-8",
    )
    missing = opspack("connections", "check", "--connections", str(connections), "--json", cwd=tmp_path)
    assert missing.returncode == 1
    [row] = json.loads(missing.stdout)["connections"]
    assert row["problem"] == "missing_secret" and row["host"] == "erp.example.invalid"
    assert "opspack secrets set" in row["advice"]
    connections.write_text("connections: [1,\n", encoding="utf-8")
    broken = opspack("connections", "check", "--connections", str(connections), "--json", cwd=tmp_path)
    assert broken.returncode == 1 and "not valid YAML" in json.loads(broken.stdout)["error"]
    table = opspack("connections", "check", "nowhere", cwd=tmp_path)
    assert table.returncode == 1 and "no connection named 'nowhere'" in table.stderr
