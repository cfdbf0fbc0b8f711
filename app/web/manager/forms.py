"""Reading form posts: the body is read before the handler opens a database session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _read_form(request: Request) -> FormData | None:
    try:
        return await request.form()
    except Exception:  # a malformed body is answered with the form and an error, not a 500
        return None


FormDep = Annotated[FormData | None, Depends(_read_form)]


def field(form: FormData | None, name: str, *, strip: bool = True) -> str:
    """A text field as sent (stripped of surrounding spaces unless told not to); the caller
    checks its length and content (app/limits.py) and says what is wrong in the form."""
    value = form.get(name) if form is not None else None
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value
