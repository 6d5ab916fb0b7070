from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from aimfire.config import Settings, masked_url


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


def test_the_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    assert settings(tmp_path).effective_database_url == f"sqlite:///{tmp_path}/aimfire.db"
    assert settings(tmp_path).is_sqlite


def test_a_secret_is_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    first = settings(tmp_path).secret
    assert len(first) >= 48
    assert settings(tmp_path).secret == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_a_given_secret_wins(tmp_path: Path) -> None:
    assert settings(tmp_path, secret_key="s3cret").secret == b"s3cret"
    assert not (tmp_path / "secret_key").exists()


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMFIRE_DATABASE_URL", "postgresql+psycopg://u:p@db/aimfire")
    monkeypatch.setenv("AIMFIRE_SESSION_DAYS", "30")
    loaded = settings(tmp_path)
    assert (loaded.session_days, loaded.is_sqlite) == (30, False)


@pytest.mark.parametrize(
    ("name", "value"), [("database_url", "::nonsense"), ("session_days", 0), ("currency", "EURO")]
)
def test_bad_values_fail_loudly(tmp_path: Path, name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=name):
        settings(tmp_path, **{name: value})


def test_the_demo_uses_its_own_database_unless_one_is_given(tmp_path: Path) -> None:
    assert settings(tmp_path).for_demo().effective_database_url.endswith("/demo.db")
    given = settings(tmp_path, database_url="postgresql+psycopg://u@h/d")
    assert given.for_demo().effective_database_url == "postgresql+psycopg://u@h/d"


def test_passwords_never_show_in_a_logged_url() -> None:
    assert masked_url("postgresql+psycopg://sam:hunter2@db/aimfire") == (
        "postgresql+psycopg://sam:***@db/aimfire"
    )
