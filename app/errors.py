"""Errors a user can act on: shown as one line (CLI) or a problem document (HTTP)."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a state the user can fix; never shown with a traceback."""

    exit_code = 1
