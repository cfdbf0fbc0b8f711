"""Settings: safe local defaults, a kept secret key, and refusal of unsafe production settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.config import Settings, load_settings
from app.errors import UserError

GOOD_SECRET = "k" * 48


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ENV", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "SMTP_URL"):
        monkeypatch.delenv(f"STAGEFIT_{name}", raising=False)
    var = tmp_path / "var"
    monkeypatch.setenv("STAGEFIT_VAR_DIR", str(var))
    return var


def test_development_defaults(clean_env: Path) -> None:
    settings = Settings()
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{clean_env / 'stagefit.db'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.questionnaires_dir.name == "questionnaires"


def test_secret_key_is_generated_once_and_kept_private(clean_env: Path) -> None:
    first = Settings().secret_key
    second = Settings().secret_key
    assert first == second
    assert len(first) >= 64  # 48 random bytes, url-safe base64
    path = clean_env / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_environment_overrides(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGEFIT_BASE_URL", "https://stagefit.example.com/")
    monkeypatch.setenv("STAGEFIT_DATABASE_URL", "postgresql+psycopg://u@db/stagefit")
    settings = Settings()
    assert settings.base_url == "https://stagefit.example.com"
    assert settings.database_url == "postgresql+psycopg://u@db/stagefit"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_url": "https://x.example"}, "STAGEFIT_SECRET_KEY is not set"),
        ({"secret_key": "changeme", "base_url": "https://x.example"}, "placeholder"),
        ({"secret_key": "short-but-not-placeholder", "base_url": "https://x.example"}, "shorter"),
        ({"secret_key": GOOD_SECRET}, "STAGEFIT_BASE_URL is not set"),
    ],
)
def test_production_refuses_unsafe_settings(
    clean_env: Path, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(UserError, match=message) as raised:
        load_settings(env="production", **overrides)
    assert "\n" not in str(raised.value)
    assert not (clean_env / "secret_key").exists()  # never falls back to a generated key


def test_production_accepts_safe_settings(clean_env: Path) -> None:
    settings = load_settings(env="production", secret_key=GOOD_SECRET, base_url="https://x.example")
    assert settings.secret_key == GOOD_SECRET


def test_serve_refuses_production_with_a_placeholder_secret(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "serve",
        env={"STAGEFIT_ENV": "production", "STAGEFIT_SECRET_KEY": "changeme"},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "refusing to start in production" in lines[0]
    assert "placeholder" in lines[0]
