"""The participant experience at /a/{token}; `router` is mounted by app.main."""

from app.web.participant.routes import router

__all__ = ["router"]
