"""Goals: revenue or units for a week, a month or a quarter, per rep, rolled up per team.

A rep sets their own goals; an admin may set them for anyone. A coach reads the goals of
the reps they coach. Revenue is stored in cents, units as a count. A goal covers a whole
period: the day given picks the period it falls in (see ``domain.goals``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.goals import GoalKind, GoalPeriod, period_bounds, period_name
from aimfire.domain.teams import TeamRole
from aimfire.errors import Conflict, Invalid, NotFound, PermissionDenied
from aimfire.services.access import Actor
from aimfire.services.behaviour_plan import goal_name
from aimfire.services.funnel_counts import Range, won_in_ranges
from aimfire.services.validation import Input
from aimfire.services.weeks import local_midnight_utc, local_today
from aimfire.store.models import Goal, Team, TeamMember, User
from aimfire.store.types import utcnow


class GoalInput(Input):
    kind: GoalKind = GoalKind.REVENUE
    amount: Decimal = Field(
        gt=0,
        le=Decimal("1e12"),
        decimal_places=2,
        description="Money to win (revenue) or a whole number of units",
    )
    period: GoalPeriod = GoalPeriod.QUARTER
    start_on: date = Field(description="Any day in the period; the goal covers all of it")
    owner_id: int | None = Field(
        default=None, description="Whose goal (admins only); default: your own"
    )


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    name: str
    won_deals: int
    won_cents: int  # value won in the period so far

    @property
    def achieved(self) -> int:
        """Cents for a revenue goal, won deals for a units goal (one unit each)."""
        return self.won_cents if self.goal.kind == GoalKind.REVENUE else self.won_deals


def _readable_owner(db: Session, actor: Actor, owner_id: int | None) -> User:
    if owner_id is None or owner_id == actor.id:
        return actor.user
    if owner_id in actor.readable_owner_ids or actor.is_admin:
        user = db.get(User, owner_id)
        if user is not None:
            return user
    raise NotFound("user")


def _writable_owner(db: Session, actor: Actor, owner_id: int | None) -> User:
    user = _readable_owner(db, actor, owner_id)
    if user.id != actor.id and not actor.is_admin:
        raise PermissionDenied(f"Only {user.name} or an admin can change {user.name}'s goals.")
    return user


def list_goals(
    db: Session, actor: Actor, *, owner_id: int | None = None, now: datetime | None = None
) -> list[GoalProgress]:
    """A rep's goals, the latest period first, each with what was won in it so far."""
    user = _readable_owner(db, actor, owner_id)
    goals = db.scalars(
        select(Goal).where(Goal.owner_id == user.id).order_by(Goal.start_on.desc(), Goal.id)
    )
    return progress(db, [(user, g) for g in goals], now=now or utcnow())


def progress(
    db: Session, owned: Sequence[tuple[User, Goal]], *, now: datetime
) -> list[GoalProgress]:
    ranges = [
        Range(
            user.id,
            local_midnight_utc(goal.start_on, user),
            min(now, local_midnight_utc(goal.end_on + timedelta(days=1), user)),
        )
        for user, goal in owned
    ]
    return [
        GoalProgress(goal, goal_name(goal), won, value)
        for (_user, goal), (won, value) in zip(owned, won_in_ranges(db, ranges), strict=True)
    ]


def get_goal(db: Session, actor: Actor, goal_id: int) -> Goal:
    goal = db.get(Goal, goal_id)
    if goal is None:
        raise NotFound("goal")
    _readable_owner(db, actor, goal.owner_id)  # NotFound when not theirs to see
    return goal


def goal_progress(
    db: Session, actor: Actor, goal_id: int, *, now: datetime | None = None
) -> GoalProgress:
    goal = get_goal(db, actor, goal_id)
    owner = db.get_one(User, goal.owner_id)
    return progress(db, [(owner, goal)], now=now or utcnow())[0]


def create_goal(db: Session, actor: Actor, data: GoalInput) -> Goal:
    user = _writable_owner(db, actor, data.owner_id)
    goal = Goal(owner_id=user.id)
    _apply(db, goal, user, data)
    db.add(goal)
    db.flush()
    return goal


def update_goal(db: Session, actor: Actor, goal_id: int, data: GoalInput) -> Goal:
    goal = get_goal(db, actor, goal_id)
    user = _writable_owner(db, actor, goal.owner_id)
    if data.owner_id is not None and data.owner_id != goal.owner_id:
        raise Invalid.on("owner_id", "A goal stays with its owner; set a new one instead.")
    _apply(db, goal, user, data)
    db.flush()
    return goal


def delete_goal(db: Session, actor: Actor, goal_id: int) -> None:
    goal = get_goal(db, actor, goal_id)
    _writable_owner(db, actor, goal.owner_id)
    db.delete(goal)
    db.flush()


def _apply(db: Session, goal: Goal, user: User, data: GoalInput) -> None:
    if data.kind is GoalKind.UNITS and data.amount != data.amount.to_integral_value():
        raise Invalid.on("amount", "A units goal is a whole number of units.")
    start, end = period_bounds(data.period, data.start_on, user.week_start)
    same = db.scalar(
        select(Goal.id).where(
            Goal.owner_id == user.id,
            Goal.kind == data.kind,
            Goal.period == data.period,
            Goal.start_on == start,
            Goal.id != (goal.id or 0),
        )
    )
    if same is not None:
        name = f"{period_name(data.period, start)} {data.kind} goal"
        raise Conflict(f"{user.name} already has a {name}; change that one instead.")
    goal.kind, goal.period, goal.start_on, goal.end_on = data.kind, data.period, start, end
    goal.amount = int(data.amount * 100) if data.kind is GoalKind.REVENUE else int(data.amount)


@dataclass(frozen=True)
class RollupLine:
    name: str  # "Q4 2026 revenue goal"
    kind: GoalKind
    period: GoalPeriod
    start_on: date
    end_on: date
    amount: int  # cents or units, summed over the reps with this goal
    achieved: int
    reps_with_goal: int


@dataclass(frozen=True)
class TeamRollup:
    team: Team
    reps: int
    lines: list[RollupLine]


def team_rollups(db: Session, actor: Actor, *, now: datetime | None = None) -> list[TeamRollup]:
    """Per team the actor coaches (an admin: every team), its reps' running and coming goals
    summed by period, with what they have won in each so far."""
    now = now or utcnow()
    teams_query = select(Team).order_by(Team.name)
    if not actor.is_admin:
        coached = select(TeamMember.team_id).where(
            TeamMember.user_id == actor.id, TeamMember.role == TeamRole.COACH
        )
        teams_query = teams_query.where(Team.id.in_(coached))
    teams = list(db.scalars(teams_query))
    if not teams:
        return []
    reps_by_team: dict[int, set[int]] = {}
    users: dict[int, User] = {}
    for member in db.scalars(
        select(TeamMember).where(
            TeamMember.team_id.in_([t.id for t in teams]), TeamMember.role == TeamRole.REP
        )
    ):
        reps_by_team.setdefault(member.team_id, set()).add(member.user_id)
        users[member.user_id] = member.user
    today = local_today(actor.user, now)
    goals = list(
        db.scalars(
            select(Goal)
            .where(Goal.owner_id.in_(users), Goal.end_on >= today)
            .order_by(Goal.start_on, Goal.kind, Goal.period)
        )
    )
    done = {p.goal.id: p for p in progress(db, [(users[g.owner_id], g) for g in goals], now=now)}
    rollups = []
    for team in teams:
        reps = reps_by_team.get(team.id, set())
        lines: dict[tuple[str, str, date], list[GoalProgress]] = {}
        for goal in goals:
            if goal.owner_id in reps:
                key = (goal.kind, goal.period, goal.start_on)
                lines.setdefault(key, []).append(done[goal.id])
        rollups.append(TeamRollup(team, len(reps), [_line(group) for group in lines.values()]))
    return rollups


def _line(group: list[GoalProgress]) -> RollupLine:
    first = group[0].goal
    return RollupLine(
        name=group[0].name,
        kind=GoalKind(first.kind),
        period=GoalPeriod(first.period),
        start_on=first.start_on,
        end_on=first.end_on,
        amount=sum(p.goal.amount for p in group),
        achieved=sum(p.achieved for p in group),
        reps_with_goal=len(group),
    )
