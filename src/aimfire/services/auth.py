"""Passwords, web sessions, personal API tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from aimfire.errors import Invalid, NotAuthenticated, NotFound
from aimfire.services.access import Actor
from aimfire.store.models import ApiToken, User, UserSession
from aimfire.store.types import utcnow

API_TOKEN_PREFIX = "af_"
MIN_PASSWORD_LENGTH = 8
# Recording every use would make each API read a write; to the minute is enough.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps a login for an unknown email as slow as for a known one.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.on("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Session, email: str, password: str) -> User:
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if not password_matches(user, password) or user is None or not user.is_active:
        raise NotAuthenticated("That email and password do not match an active account.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough; the database never holds one.
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=_digest(token), user_id=user.id, expires_at=utcnow() + lifetime))
    return token


# Built once, the token's digest bound when it runs: every request asks.
_SESSION = select(UserSession).where(UserSession.token_hash == bindparam("digest"))


def user_for_session(db: Session, token: str) -> User | None:
    session = db.scalar(_SESSION, {"digest": _digest(token)})
    if session is None or session.expires_at <= utcnow() or not session.user.is_active:
        return None
    return session.user


def end_session(db: Session, token: str) -> None:
    db.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def end_all_sessions(db: Session, user: User) -> None:
    db.execute(delete(UserSession).where(UserSession.user_id == user.id))


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def issue_api_token(db: Session, actor: Actor, name: str) -> IssuedToken:
    name = name.strip()
    if not name or len(name) > 80:
        raise Invalid.on("name", "Give the token a name of 1 to 80 characters.")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=_digest(secret), prefix=secret[:10])
    db.add(token)
    db.flush()
    return IssuedToken(token, secret)


def list_api_tokens(db: Session, actor: Actor) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)
    return list(db.scalars(query))


def revoke_api_token(db: Session, actor: Actor, token_id: int) -> None:
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound("API token")
    db.delete(token)


def user_for_api_token(db: Session, secret: str) -> User | None:
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return token.user


def csrf_token(secret_key: bytes, session_token: str) -> str:
    """A form token bound to one browser's session cookie; nothing to store."""
    return hmac.new(secret_key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(secret_key: bytes, session_token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(secret_key, session_token), given)
