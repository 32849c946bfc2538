"""opspack agents package."""
