"""A rendered PDF report as an HTTP response: one helper for the HR API and the manager app."""

from __future__ import annotations

from typing import Literal

from fastapi import Response

from app.services.reports import RenderedReport


def pdf_response(
    report: RenderedReport, *, disposition: Literal["inline", "attachment"] = "inline"
) -> Response:
    """The PDF with X-Report-Cache saying whether it came from the cache. A report is personal
    data: no-store keeps it out of shared caches and the browser's, and nosniff makes browsers
    take it for the PDF it says it is."""
    return Response(
        content=report.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{report.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Report-Cache": "hit" if report.cached else "miss",
        },
    )
