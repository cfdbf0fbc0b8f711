"""Reading form posts: the body is read before the handler opens a database session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

MAX_FIELD = 320  # longer values are cut: no field of ours needs more


async def _read_form(request: Request) -> FormData | None:
    try:
        return await request.form()
    except Exception:  # a malformed body is answered with the form and an error, not a 500
        return None


FormDep = Annotated[FormData | None, Depends(_read_form)]


def field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""
