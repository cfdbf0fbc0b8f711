"""PDF reports: view models, SVG charts, Jinja2 → HTML → WeasyPrint, and a disk cache."""
