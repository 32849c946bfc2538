"""Logs and traces shared by every layer: the transaction in hand, and OpenTelemetry spans per step.

Imports nothing of opspack (agents, governance and the runtime all import it, never the reverse)
and loads OpenTelemetry only when tracing is switched on.
"""
