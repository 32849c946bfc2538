"""An agent over a batch (a folder of invoices, an inbox, a ticket queue) and its table and summary.

Shared by each agent's command (`opspack.cli`) and the demo (`opspack.demo`), so neither imports the
other: the demo shows what the commands show.
"""
