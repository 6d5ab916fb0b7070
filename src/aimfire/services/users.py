"""Accounts of the people who use aimfire: creating them, settings, passwords."""

from __future__ import annotations

from zoneinfo import available_timezones

from pydantic import EmailStr, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.domain.interactions import Channel, minutes_by_channel
from aimfire.errors import Conflict, Invalid, NotFound
from aimfire.services.access import Actor, require_admin
from aimfire.services.auth import end_all_sessions, hash_password, password_matches
from aimfire.services.validation import Input, parse_input
from aimfire.store.models import User

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _known_time_zone(value: str) -> str:
    if value not in available_timezones():
        raise ValueError(f"'{value}' is not a time zone name such as Europe/Berlin")
    return value


class NewUser(Input):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=8, max_length=200)
    is_admin: bool = False
    time_zone: str = "UTC"

    _check_zone = field_validator("time_zone")(_known_time_zone)


class UserSettings(Input):
    name: str = Field(min_length=1, max_length=120)
    time_zone: str
    week_start: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")

    _check_zone = field_validator("time_zone")(_known_time_zone)


class SellingTime(Input):
    """How long each kind of interaction takes, and the time there is to sell."""

    phone: int = Field(ge=1, le=480, description="Minutes per phone call")
    email: int = Field(ge=1, le=480, description="Minutes per email")
    meeting: int = Field(ge=1, le=480, description="Minutes per in-person meeting")
    video: int = Field(ge=1, le=480, description="Minutes per video call")
    text: int = Field(ge=1, le=480, description="Minutes per text or social message")
    working_days: list[int] = Field(min_length=1, max_length=7, description="0 = Monday ... 6")
    selling_hours_per_week: int = Field(ge=1, le=100)

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(day not in range(7) for day in days):
            raise ValueError("use weekday numbers 0 (Monday) to 6 (Sunday)")
        return sorted(set(days))


class PasswordChange(Input):
    current_password: str
    new_password: str = Field(min_length=8, max_length=200)


def count_users(db: Session) -> int:
    return db.scalar(select(func.count(User.id))) or 0


def create_user(db: Session, data: NewUser) -> User:
    email = data.email.lower()
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with that email already exists.")
    user = User(
        email=email,
        name=data.name,
        password_hash=hash_password(data.password),
        is_admin=data.is_admin,
        time_zone=data.time_zone,
    )
    db.add(user)
    db.flush()
    return user


def create_first_owner(db: Session, data: NewUser) -> User:
    """The first account of an install is its owner: an admin who also sells."""
    if count_users(db):
        raise Conflict("This install already has an owner; log in instead.")
    return create_user(db, data.model_copy(update={"is_admin": True}))


def admin_create_user(db: Session, actor: Actor, data: NewUser) -> User:
    require_admin(actor)
    return create_user(db, data)


def list_users(db: Session, actor: Actor) -> list[User]:
    require_admin(actor)
    return list(db.scalars(select(User).order_by(User.name, User.id)))


def set_user_active(db: Session, actor: Actor, user_id: int, active: bool) -> User:
    require_admin(actor)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("user")
    if user.id == actor.id and not active:
        raise Invalid("You cannot deactivate your own account.")
    user.is_active = active
    if not active:
        end_all_sessions(db, user)
    return user


def update_settings(db: Session, actor: Actor, data: UserSettings) -> User:
    user = actor.user
    user.name, user.time_zone, user.week_start = data.name, data.time_zone, data.week_start
    return user


def update_selling_time(db: Session, actor: Actor, data: SellingTime) -> User:
    user = actor.user
    user.channel_minutes = data.model_dump(include={c.value for c in Channel})
    user.working_days = "".join(str(day) for day in data.working_days)
    user.selling_hours_per_week = data.selling_hours_per_week
    return user


def selling_time_of(user: User) -> SellingTime:
    return SellingTime(
        **minutes_by_channel(user.channel_minutes),
        working_days=[int(day) for day in user.working_days],
        selling_hours_per_week=user.selling_hours_per_week,
    )


def change_password(db: Session, actor: Actor, data: PasswordChange) -> None:
    if not password_matches(actor.user, data.current_password):
        raise Invalid.on("current_password", "The current password is not right.")
    actor.user.password_hash = hash_password(data.new_password)
    end_all_sessions(db, actor.user)


def new_user_from(data: object) -> NewUser:
    return parse_input(NewUser, data)
