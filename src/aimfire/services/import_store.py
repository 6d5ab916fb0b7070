"""Uploaded CSV files kept between the steps of a web import (preview, dry run, import).

Each upload lives in the data folder as ``<token>.csv`` beside ``<token>.json`` (who uploaded
it, what it is) and, once run, ``<token>.problems.csv``. Only its uploader can use a token;
files older than a day are swept away at the next upload.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from aimfire.domain.csv_mapping import Kind
from aimfire.errors import Invalid, NotFound
from aimfire.services.access import Actor

KEEP_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True, slots=True)
class StoredImport:
    token: str
    owner_id: int
    kind: Kind
    filename: str
    directory: str
    done: bool = False

    @property
    def csv_path(self) -> Path:
        return Path(self.directory) / f"{self.token}.csv"

    @property
    def problems_path(self) -> Path:
        return Path(self.directory) / f"{self.token}.problems.csv"

    @property
    def meta_path(self) -> Path:
        return Path(self.directory) / f"{self.token}.json"


def save_upload(
    directory: Path, actor: Actor, kind: Kind, filename: str, source: BinaryIO
) -> StoredImport:
    directory.mkdir(parents=True, exist_ok=True)
    sweep(directory)
    stored = StoredImport(
        secrets.token_urlsafe(16), actor.id, kind, Path(filename).name[:200], str(directory)
    )
    written = 0
    with stored.csv_path.open("wb") as target:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                target.close()
                stored.csv_path.unlink()
                limit = MAX_UPLOAD_BYTES // (1024 * 1024)
                raise Invalid.on("file", f"The file is larger than {limit} MB; use the CLI.")
            target.write(chunk)
    if written == 0:
        stored.csv_path.unlink()
        raise Invalid.on("file", "Choose a CSV file to upload.")
    _write_meta(stored)
    return stored


def _write_meta(stored: StoredImport) -> None:
    stored.meta_path.write_text(json.dumps(asdict(stored)))


def load_upload(directory: Path, actor: Actor, token: str) -> StoredImport:
    """The actor's upload with this token; anyone else's, or a stale one, is not found."""
    path = directory / f"{token}.json"
    if not _TOKEN.fullmatch(token) or not path.exists():
        raise NotFound("upload")
    data = json.loads(path.read_text())
    stored = StoredImport(**{**data, "kind": Kind(data["kind"]), "directory": str(directory)})
    if stored.owner_id != actor.id:
        raise NotFound("upload")
    return stored


def mark_done(stored: StoredImport) -> StoredImport:
    """After a real import only the problems report is kept."""
    stored.csv_path.unlink(missing_ok=True)
    done = StoredImport(**{**asdict(stored), "done": True})
    _write_meta(done)
    return done


def sweep(directory: Path, now: float | None = None) -> None:
    cutoff = (now or time.time()) - KEEP_SECONDS
    for path in directory.glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
