"""Refusals a manager page explains: not found, not completed yet, not allowed."""

from __future__ import annotations


class PageError(Exception):
    """A page that explains a refusal (HTML), or problem details for other clients."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def not_found() -> PageError:
    # The same answer for an id that never existed and for another organisation's id.
    return PageError(
        404, "Not found", "There is nothing here, or it belongs to another organisation."
    )


def forbidden(message: str) -> PageError:
    return PageError(403, "Not allowed", message)
