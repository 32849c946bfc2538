"""Accounts-payable agent: invoice ingestion and extraction (this package) and three-way match."""
