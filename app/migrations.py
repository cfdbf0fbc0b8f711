"""Running the Alembic migrations from code (`stagefit db upgrade`, tests, `make run`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.config import REPO_DIR
from app.errors import UserError


def migrations_dir() -> Path:
    # From a checkout (or editable install) the migrations sit next to app/; in the Docker
    # image `pip install .` puts app/ in site-packages and the migrations stay in /app.
    for candidate in (REPO_DIR / "migrations", Path.cwd() / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise UserError("cannot find the migrations/ directory (run from the StageFit directory)")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head" and database_url.startswith(("postgresql", "postgres:")):
        # The job engine of `stagefit worker` (app/worker/queue.py) keeps its own tables.
        from app.worker.schema import apply_schema

        apply_schema(database_url)
