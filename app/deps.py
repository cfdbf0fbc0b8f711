"""Request dependencies shared by the routers: the database session and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.db import SessionDep, WriteSessionDep


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (tests create apps with their own)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]

__all__ = ["SessionDep", "SettingsDep", "WriteSessionDep"]
