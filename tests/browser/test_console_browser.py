"""The web console in a real browser: log in, approve and reject held invoices, and the refusals.

Drives Debian's chromium (``/usr/bin/chromium``) through Playwright against the console served by
uvicorn on a free loopback port; the SAP S/4HANA mock runs in-process behind the console's
performer, so an approval is seen as a posted invoice in the mock. It never downloads a browser
(`playwright install` is not used) and skips with the reason when chromium or Playwright is absent.
Screenshots land in ``.opspack/artifacts/console/`` at the repository root (or in
``$OPSPACK_ARTIFACTS_DIR/console``); see docs/CONSOLE.md.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from console_world import World, build_world, password_of
from served_console import ServedConsole

from governance import approvals

REPOSITORY = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def artifacts_dir() -> Path:
    base = Path(os.environ.get("OPSPACK_ARTIFACTS_DIR", REPOSITORY / ".opspack" / "artifacts"))
    folder = base / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path)  # Secure cookies stay on: chromium treats 127.0.0.1 as a secure context


@pytest.fixture
def console(world: World) -> Iterator[ServedConsole]:
    served = ServedConsole(world.settings)
    try:
        yield served
    finally:
        served.stop()


def logged_in(browser: Any, console: ServedConsole, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{console.url}/inbox")
    assert "/login" in page.url  # not signed in: sent to the login page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password_of(username))
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/inbox")
    assert page.locator("#whoami").get_attribute("data-user") == username
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"{name}.png"), full_page=True)


def crafted_post(page: Any, console: ServedConsole, path: str, reason: str) -> Any:
    """A POST the page offers no button for, with the session's real CSRF token: only the server can refuse."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    return page.request.post(
        f"{console.url}{path}", form={"reason": reason, "csrf_token": token}, max_redirects=0
    )


def test_an_approver_approves_a_held_invoice_and_it_posts_in_the_sap_mock(
    browser: Any, console: ServedConsole, world: World
) -> None:
    page = logged_in(browser, console, "alice")
    approval = world.approval_id("SOD-9001")
    assert page.locator("#approvals tr[data-status=pending]").count() == 2
    shot(page, "01-inbox")
    page.click(f'tr[data-approval="{approval}"] a')
    assert page.locator("#approval-status").inner_text() == "pending"
    assert "Case file (from the decision record)" in page.inner_text("body")
    shot(page, "02-case-file")
    page.fill("#approve-form input[name=reason]", "quantity confirmed with the canteen manager")
    page.click("#approve")
    page.wait_for_url(f"{console.url}/approvals/{approval}")
    assert page.locator("#approval-status").inner_text() == "used"
    posted = world.erp.find_invoice("17300015", "SOD-9001")
    # SAP posts with a payment block; the release for payment is the next governed action
    assert posted is not None and posted.status.value == "awaiting_release"
    outcome = page.locator('#story tr[data-kind="execution_outcome"]')
    assert "executed" in outcome.inner_text() and posted.id in outcome.inner_text()
    shot(page, "03-approved-and-executed")


def test_an_approver_rejects_a_held_invoice(browser: Any, console: ServedConsole, world: World) -> None:
    page = logged_in(browser, console, "bob")
    approval = world.approval_id("SOD-9002")
    page.goto(f"{console.url}/approvals/{approval}")
    page.fill("#reject-form input[name=reason]", "vendor billed a month twice")
    page.click("#reject")
    page.wait_for_url(f"{console.url}/approvals/{approval}")
    assert page.locator("#approval-status").inner_text() == "rejected"
    assert "vendor billed a month twice" in page.locator("#decided").inner_text()
    assert world.erp.find_invoice("17300015", "SOD-9002") is None
    shot(page, "04-rejected")


def test_an_approver_cannot_approve_their_own_request(
    browser: Any, console: ServedConsole, world: World
) -> None:
    held = world.human_request(requested_by="alice")
    page = logged_in(browser, console, "alice")
    page.goto(f"{console.url}/approvals/{held.approval_id}")
    assert "you requested this action" in page.locator("#obstacles").inner_text()
    assert page.locator("#approve").count() == 0
    answer = crafted_post(page, console, f"/approvals/{held.approval_id}/approve", "my own")
    assert answer.status == 409 and "maker and checker must differ" in answer.text()
    page.reload()
    assert page.locator("#approval-status").inner_text() == "pending"
    shot(page, "05-own-request-refused")


def test_a_viewer_cannot_approve(browser: Any, console: ServedConsole, world: World) -> None:
    page = logged_in(browser, console, "victor")
    approval = world.approval_id("SOD-9001")
    page.goto(f"{console.url}/approvals/{approval}")
    assert page.locator("#approve").count() == 0
    answer = crafted_post(page, console, f"/approvals/{approval}/approve", "I am only a viewer")
    assert answer.status == 403 and "approver role" in answer.text()
    assert approvals.get_request(world.governor.store, approval).status == "pending"
    page.goto(f"{console.url}/dashboard")
    assert page.locator("svg.chart").count() == 4
    shot(page, "06-viewer-dashboard")
