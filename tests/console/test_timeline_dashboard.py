"""Transaction timelines with integrity checks, search by business key, dashboards, kill switches."""

from __future__ import annotations

import re
from html import unescape

from conftest import Login, page_token
from console_world import NOW, World
from sqlalchemy import update

from governance.autonomy import load_measurement_config
from governance.kill_switches import switch_states, transaction_id_for
from governance.ledger import ledger_records
from governance.report import display, gather


def test_search_by_business_key_finds_the_transaction(login: Login, world: World) -> None:
    victor = login("victor")
    transaction = world.held["SOD-9001"].transaction_id
    for query in ("ap-invoice:17300015:SOD-9001", "sod-9001", transaction[:10]):
        page = unescape(victor.get("/transactions", params={"q": query}).text)
        assert f'href="/transactions/{transaction}"' in page, query
    assert world.held["SOD-9002"].transaction_id not in victor.get("/transactions?q=SOD-9001").text
    assert "No transaction matches" in unescape(victor.get("/transactions?q=nothing-like-this").text)


def test_timeline_tells_the_story_and_verifies_each_record(login: Login, world: World) -> None:
    transaction = world.held["SOD-9001"].transaction_id
    page = login("victor").get(f"/transactions/{transaction}").text
    kinds = re.findall(r'<tr data-kind="([a-z_]+)" data-seq="\d+" data-ok="yes">', page)
    assert kinds == [r.kind for r in world.governor.ledger.records(transaction)]
    assert kinds[:5] == ["intake", "perception", "decision", "verdict", "approval_requested"]
    assert 'data-verified="yes"' in page and world.approval_id("SOD-9001")[:8] in page


def test_an_edited_record_shows_as_broken(login: Login, world: World) -> None:
    transaction = world.held["SOD-9001"].transaction_id
    decision = world.governor.ledger.records(transaction, kind="decision")[0]
    with world.governor.store.begin() as connection:
        connection.execute(
            update(ledger_records)
            .where(ledger_records.c.seq == decision.seq)
            .values(payload=decision.payload_text.replace("SOD-9001", "SOD-9009"))
        )
    victor = login("victor")
    page = victor.get(f"/transactions/{transaction}").text
    assert 'data-verified="no"' in page
    assert f'<tr data-kind="decision" data-seq="{decision.seq}" data-ok="no">' in page
    audit = victor.get("/audit/verify").text
    assert 'data-ok="no"' in audit and f"ledger broken at seq {decision.seq}" in audit


def test_dashboard_shows_the_reports_numbers_and_charts(login: Login, world: World) -> None:
    page = login("victor").get("/dashboard").text
    expected = gather(
        world.governor.ledger,
        world.settings.policy_file,
        load_measurement_config(world.settings.measurement_config),
        now=NOW,
    ).metrics["overall"]
    cells = dict(re.findall(r'data-metric="overall\.([a-z_]+\.[a-z0-9_]+)">([^<]*)<', page))
    assert len(cells) > 20
    for path, text in cells.items():
        section, key = path.split(".")
        assert unescape(text) == display(key, expected[section][key]), path
    assert sorted(re.findall(r'data-chart="([a-z_]+)"', page)) == [
        "grouped_bars",
        "grouped_bars",
        "ladder",
        "stacked_bars",
    ]
    assert "Switch off" not in page  # viewers see the switches, not the controls


def test_an_admin_switches_an_agent_off_and_on_and_the_ledger_says_who_and_why(
    login: Login, world: World
) -> None:
    ada = login("ada")
    assert "Switch off" in ada.get("/dashboard").text
    answer = ada.post(
        "/agents/ap_clerk/kill-switch",
        data={"state": "engage", "reason": "bank-change alert", "csrf_token": page_token(ada, "/dashboard")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    state = switch_states(world.governor.store)["ap_clerk"]
    assert (state.engaged, state.changed_by, state.reason) == (True, "ada", "bank-change alert")
    assert 'data-agent="ap_clerk" data-engaged="yes"' in ada.get("/dashboard").text
    outcome = world.human_request(requested_by="alice", reference="KS")
    assert outcome.status == "denied" and outcome.reasons[0].code.value == "kill_switch"
    ada.post(
        "/agents/ap_clerk/kill-switch",
        data={"state": "release", "reason": "alert explained", "csrf_token": page_token(ada, "/dashboard")},
    )
    notes = world.governor.ledger.records(transaction_id_for("ap_clerk"), kind="note")
    assert [(n.actor, n.payload["engaged"], n.payload["reason"]) for n in notes] == [
        ("ada", True, "bank-change alert"),
        ("ada", False, "alert explained"),
    ]


def test_a_flip_needs_a_reason_and_a_known_agent(login: Login, world: World) -> None:
    ada = login("ada")
    token = page_token(ada, "/dashboard")
    blank = ada.post(
        "/agents/ap_clerk/kill-switch", data={"state": "engage", "reason": " ", "csrf_token": token}
    )
    assert blank.status_code == 409 and "needs a reason" in blank.text
    unknown = ada.post(
        "/agents/nobody/kill-switch", data={"state": "engage", "reason": "x", "csrf_token": token}
    )
    assert unknown.status_code == 409 and "unknown agent" in unknown.text
    assert switch_states(world.governor.store) == {}
