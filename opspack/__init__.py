"""opspack opspack package."""
