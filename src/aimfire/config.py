"""Every setting aimfire reads, in one place.

Each field is read from an ``AIMFIRE_``-prefixed environment variable (or a ``.env`` file in
the working directory). Every default works on a laptop: a SQLite file in the user data
folder and a secret generated on first use and kept beside it.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_FILE_NAME = "secret_key"
SQLITE_FILE_NAME = "aimfire.db"
DEMO_SQLITE_FILE_NAME = "demo.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIMFIRE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("aimfire", appauthor=False)))
    """Folder for the SQLite database and the generated secret key."""

    database_url: str | None = None
    """SQLAlchemy URL such as ``postgresql+psycopg://user:pass@host/db``; default: SQLite."""

    secret_key: SecretStr | None = None
    """Signs CSRF tokens and calendar links. Generated and kept in data_dir when not given."""

    session_days: int = Field(default=14, ge=1, le=365)
    """How long a web login lasts without activity."""

    currency: str = Field(default="USD", min_length=3, max_length=3)
    """ISO currency code used to display deal values."""

    @field_validator("database_url")
    @classmethod
    def _database_url_must_parse(cls, value: str | None) -> str | None:
        if value:
            try:
                make_url(value)
            except ArgumentError:
                raise ValueError(
                    "not a database URL; use e.g. postgresql+psycopg://user:pass@host/db"
                ) from None
        return value or None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / SQLITE_FILE_NAME}"

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.effective_database_url).get_backend_name() == "sqlite"

    @cached_property
    def secret(self) -> bytes:
        """The secret key, generated and persisted (mode 0600) on first use when not given."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / SECRET_FILE_NAME
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()

    def for_demo(self) -> Settings:
        """The same settings pointed at a separate demo database, unless a URL was given."""
        if self.database_url:
            return self
        demo_url = f"sqlite:///{self.data_dir / DEMO_SQLITE_FILE_NAME}"
        return self.model_copy(update={"database_url": demo_url})


def masked_url(url: str) -> str:
    """The database URL with any password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)
