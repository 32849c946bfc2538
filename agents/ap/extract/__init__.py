"""Template-free field extraction from invoice page text: labels, layout, tables and arithmetic."""
