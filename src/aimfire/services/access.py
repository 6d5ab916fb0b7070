"""Who may see and change what: decided here and nowhere else.

A rep sees only their own book. A coach also reads the books of the reps they coach (the
reps of every team where they are a coach). Being an admin manages users, teams and the
pipeline; it does not open other people's books. A record someone may not see is "not
found" to them, so ids never leak whether a record exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from aimfire.domain.teams import TeamRole
from aimfire.errors import NotFound, PermissionDenied
from aimfire.store.models import TeamMember, User


@dataclass(frozen=True, slots=True)
class Actor:
    user: User
    readable_owner_ids: frozenset[int]

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    @property
    def coaches_anyone(self) -> bool:
        return len(self.readable_owner_ids) > 1


class Owned(Protocol):
    id: int
    owner_id: int


R = TypeVar("R", bound=Owned)


def actor_for(db: Session, user: User) -> Actor:
    return Actor(user, frozenset({user.id, *coached_rep_ids(db, user.id)}))


def coached_rep_ids(db: Session, coach_id: int) -> set[int]:
    return set(db.scalars(_COACHED_REPS, {"coach": coach_id}))


# Built once, the coach bound when it runs: every request asks. Aliases of the table, not of
# the mapped class, whose aliases cost twice the query itself.
_coach = TeamMember.__table__.alias("coach")
_rep = TeamMember.__table__.alias("rep")
_COACHED_REPS = (
    select(_rep.c.user_id)
    .join(_coach, _coach.c.team_id == _rep.c.team_id)
    .where(_coach.c.user_id == bindparam("coach"), _coach.c.role == TeamRole.COACH)
    .where(_rep.c.role == TeamRole.REP, _rep.c.user_id != bindparam("coach"))
)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an admin can do this.")


def readable_owner(actor: Actor, owner_id: int | None) -> int:
    """The book to show: the actor's own, or a coached rep's when asked for by id."""
    if owner_id is None:
        return actor.id
    if owner_id not in actor.readable_owner_ids:
        raise NotFound("user")
    return owner_id


def get_readable(db: Session, model: type[R], record_id: int, actor: Actor, what: str) -> R:
    record = db.get(model, record_id)
    if record is None or record.owner_id not in actor.readable_owner_ids:
        raise NotFound(what)
    return record


def get_writable(db: Session, model: type[R], record_id: int, actor: Actor, what: str) -> R:
    record = get_readable(db, model, record_id, actor, what)
    if record.owner_id != actor.id:
        raise PermissionDenied(f"You can read this {what}, but only its owner can change it.")
    return record


def readable_owners(db: Session, actor: Actor) -> list[User]:
    """The people whose books the actor may read, themselves first."""
    others = db.scalars(
        select(User).where(User.id.in_(actor.readable_owner_ids - {actor.id})).order_by(User.name)
    )
    return [actor.user, *others]
