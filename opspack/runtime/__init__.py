"""The runtime: sources of work, the embedded runner, schedules and the approval loop."""
