"""Templates and inline SVG charts for the HTML report."""
