"""SAP ``$batch``: pyodata's own batches and changesets, unpatched, over TLS; atomic changesets.

pyodata builds the multipart body and parses the answer; the only set-up is the CA
(``REQUESTS_CA_BUNDLE``) and the CSRF token a Gateway client fetches before writing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mocks.sap import SapMock
from mocks.server import MockServer, serve_mocks
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty

AUTH = ("OPSPACK_COMM", "Welcome-S4H-2024!")
SERVICE = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> MockTls:
    return ensure_tls(tmp_path_factory.mktemp("mock-tls"))


@pytest.fixture
def served(tls: MockTls, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MockServer, SapMock]]:
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    mock = SapMock.from_fixtures()
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls) as server:
        yield server, mock


def _client(server: MockServer) -> tuple[object, requests.Session]:
    import pyodata

    session = requests.Session()
    session.auth = AUTH
    fetched = session.get(f"{server.url}{SERVICE}/", headers={"X-CSRF-Token": "Fetch"})
    session.headers["X-CSRF-Token"] = fetched.headers["x-csrf-token"]
    return pyodata.Client(f"{server.url}{SERVICE}", session), session


def _item_texts(mock: SapMock, po: str) -> dict[str, str]:
    return {
        r["PurchaseOrderItem"]: r["PurchaseOrderItemText"]
        for r in mock.tables.rows("A_PurchaseOrderItem")
        if r["PurchaseOrder"] == po
    }


def _po_with_two_items(mock: SapMock) -> tuple[str, list[str]]:
    items: dict[str, list[str]] = {}
    for row in mock.tables.rows("A_PurchaseOrderItem"):
        items.setdefault(row["PurchaseOrder"], []).append(row["PurchaseOrderItem"])
    po, found = next((po, sorted(i)) for po, i in items.items() if len(i) >= 2)
    return po, found[:2]


def test_pyodata_batch_reads_and_applies_a_changeset(served: tuple[MockServer, SapMock]) -> None:
    server, mock = served
    client, _ = _client(server)
    po, (first, second) = _po_with_two_items(mock)
    sets = client.entity_sets  # type: ignore[attr-defined]

    batch = client.create_batch()  # type: ignore[attr-defined]
    batch.add_request(sets.A_PurchaseOrder.get_entity(PurchaseOrder=po))
    changeset = client.create_changeset()  # type: ignore[attr-defined]
    for item, text in ((first, "Batched one"), (second, "Batched two")):
        changeset.add_request(
            sets.A_PurchaseOrderItem.update_entity(PurchaseOrder=po, PurchaseOrderItem=item).set(
                PurchaseOrderItemText=text
            )
        )
    batch.add_request(changeset)
    read, changed = batch.execute()
    assert read.PurchaseOrder == po
    assert len(changed) == 2
    texts = _item_texts(mock, po)
    assert (texts[first], texts[second]) == ("Batched one", "Batched two")


def test_a_failing_changeset_rolls_back_all_of_its_changes(served: tuple[MockServer, SapMock]) -> None:
    from pyodata.exceptions import HttpError

    server, mock = served
    client, _ = _client(server)
    po, (first, second) = _po_with_two_items(mock)
    before = _item_texts(mock, po)
    sets = client.entity_sets  # type: ignore[attr-defined]
    batch = client.create_batch()  # type: ignore[attr-defined]
    changeset = client.create_changeset()  # type: ignore[attr-defined]
    changeset.add_request(
        sets.A_PurchaseOrderItem.update_entity(PurchaseOrder=po, PurchaseOrderItem=first).set(
            PurchaseOrderItemText="Never applied"
        )
    )
    changeset.add_request(
        sets.A_PurchaseOrderItem.update_entity(PurchaseOrder=po, PurchaseOrderItem=second).set(
            Plant="9999"  # not changeable: the whole changeset fails
        )
    )
    batch.add_request(changeset)
    with pytest.raises(HttpError, match="single response"):
        batch.execute()
    assert _item_texts(mock, po) == before


def test_batch_without_a_csrf_token_is_refused_and_bad_bodies_are_named(
    served: tuple[MockServer, SapMock],
) -> None:
    server, _ = served
    session = requests.Session()
    session.auth = AUTH
    refused = session.post(
        f"{server.url}{SERVICE}/$batch", data=b"--b\r\n--b--\r\n",
        headers={"Content-Type": "multipart/mixed; boundary=b"},
    )  # fmt: skip
    assert refused.status_code == 403 and refused.headers["x-csrf-token"] == "Required"
    _, with_token = _client(server)
    not_multipart = with_token.post(f"{server.url}{SERVICE}/$batch", json={})
    assert (
        not_multipart.status_code == 400
        and "multipart/mixed" in not_multipart.json()["error"]["message"]["value"]
    )
    get_in_changeset = (
        "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
        "--c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        "GET A_PurchaseOrder HTTP/1.1\r\n\r\n\r\n--c--\r\n--b--\r\n"
    )
    answer = with_token.post(
        f"{server.url}{SERVICE}/$batch", data=get_in_changeset.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=b"},
    )  # fmt: skip
    assert answer.status_code == 400 and "not allowed inside a changeset" in answer.text
