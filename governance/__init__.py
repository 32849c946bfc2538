"""opspack governance package."""
