"""The deployable runtime: sources, schedules, logs, health and metrics for `opspack run`."""
