"""Procurement agent: spend classification, supplier master-data validation, PO follow-up.

Every write it proposes (a spend category, a PO status, a vendor block or merge) is an `Action`
that goes through the one governance path; nothing here talks to an ERP except through
`connectors.erp.protocol.ERPConnector`.
"""
