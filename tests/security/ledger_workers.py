"""A ledger writer run as a separate process by the concurrency tests and the bench.

``python tests/security/ledger_workers.py URL ANCHORS MAC_HEX SEED_HEX WORKER COUNT PARTITIONS MODE``
appends COUNT records and prints one line ``done <seconds>``. MODE ``mixed`` spreads the records
over ten transactions shared by every worker, batches some appends three to a database
transaction and takes a checkpoint every 25 appends; MODE ``own`` appends one record per database
transaction, each in a transaction of its own (the bench).
"""

from __future__ import annotations

import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.anchor import FileAnchorLog
from governance.ledger import Ledger
from governance.ledger_keys import LedgerKeys
from governance.store import Store


def keys_from(mac_hex: str, seed_hex: str) -> LedgerKeys:
    signing = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    return LedgerKeys(bytes.fromhex(mac_hex), signing, (signing.public_key(),))


def main(argv: list[str]) -> None:
    url, anchors, mac_hex, seed_hex, worker, count, partitions, mode = argv
    store = Store(url)
    ledger = Ledger(
        store, keys=keys_from(mac_hex, seed_hex), anchors=FileAnchorLog(anchors), partitions=int(partitions)
    )
    start = time.perf_counter()
    for i in range(int(count)):
        if mode == "own":
            ledger.append(f"w{worker}-{i}", "note", {"worker": int(worker), "i": i})
            continue
        txn = f"shared-{i % 10}"
        if i % 5 == 0:
            with store.begin() as connection:  # three records in one database transaction
                for part in range(3):
                    ledger.append(
                        txn, "note", {"worker": int(worker), "i": i, "part": part}, connection=connection
                    )
        else:
            ledger.append(txn, "note", {"worker": int(worker), "i": i})
        if i % 25 == 24:
            ledger.checkpoint()
    print(f"done {time.perf_counter() - start:.4f}", flush=True)
    store.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
