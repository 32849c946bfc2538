"""Security regression suite: every hole reported in issue 14, reproduced against the example policy."""
