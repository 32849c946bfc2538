"""Connectors: one typed Protocol per system kind, vendor adapters, and the shared HTTP layer.

`connectors.http.VendorHttp` is the single exit point to a vendor, `connectors.errors` the one
exception tree, `connectors.auth` the auth strategies, `connectors.registry` builds adapters from
``connections.yaml``. Nothing here imports governance, agents or the application shell.
"""
