"""The behaviour plan: from a rep's goals back through their own funnel to weekly activity.

History, then rates, then the plan:

1. The rep's funnel over the last ``window_days`` days (default 180, ending today in the
   rep's time zone) is counted in SQL by ``services.funnel_counts``: attempts = interactions
   logged (status done); conversations = those that connected; meetings = connected
   interactions on the meeting or video channel; proposals = the rep's deals with a
   proposal sent in the window; sales = deals that entered a won stage in the window
   (``closed_at``), with their value.
2. Rates (close, proposal, meeting and connect rate, average deal size) come from that
   history. While a rate rests on fewer than 20 events it is blended toward a prior with
   (successes + 10 * prior) / (trials + 10); see ``domain.funnel_rates``.
3. The prior is the team's pooled rates (every rep on the rep's teams, same window) when
   that pool holds at least 20 events for each of the four rates, otherwise the documented
   defaults (``DEFAULT_PRIORS``: close 25%, proposal 50%, meeting 20%, connect 30%). The
   average deal size leans on the average value of the rep's own deals (any stage), since
   what a rep sells sets its size, or without any on the team's average won deal. The plan
   says in words which prior it used.
4. Every goal still running is planned from today over the rep's working days, net of what
   was already won in its period. Minutes per attempt blend the rep's channel mix at their
   own channel minutes (``User.channel_minutes`` over ``DEFAULT_CHANNEL_MINUTES``). Goals
   whose periods overlap are checked together against the rep's selling hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.domain.behaviour_plan import (
    BehaviourPlan,
    ChannelMinutes,
    Conflict,
    WorkWeek,
    build_plan,
    check_goal_overlaps,
)
from aimfire.domain.behaviour_plan import Goal as PlanGoal
from aimfire.domain.funnel_rates import (
    BLEND_THRESHOLD,
    DEFAULT_PRIORS,
    FunnelHistory,
    FunnelRates,
    PriorRates,
    compute_rates,
)
from aimfire.domain.goals import GoalKind, GoalPeriod, period_name
from aimfire.domain.interactions import MEETING_CHANNELS, Channel, minutes_by_channel
from aimfire.domain.teams import TeamRole
from aimfire.errors import Invalid
from aimfire.services.access import Actor, readable_owner
from aimfire.services.funnel_counts import Range, Span, SpanCounts, count_spans, won_in_ranges
from aimfire.services.weeks import local_midnight_utc, local_today
from aimfire.store.models import Deal, Goal, Team, TeamMember, User
from aimfire.store.types import utcnow

DEFAULT_WINDOW_DAYS = 180
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 14, 730


@dataclass(frozen=True)
class PlanBasis:
    """Everything about one rep that a plan needs besides the goal."""

    user: User
    today: date
    window_days: int
    history: FunnelHistory
    rates: FunnelRates
    prior_note: str
    work_week: WorkWeek
    minutes: ChannelMinutes
    minutes_note: str


@dataclass(frozen=True)
class GoalPlan:
    goal: Goal
    name: str  # "Q4 2026 revenue goal"
    achieved: float  # currency units for a revenue goal, units for a units goal
    plan: BehaviourPlan


@dataclass(frozen=True)
class PlanView:
    basis: PlanBasis
    plans: list[GoalPlan]
    overlaps: list[Conflict]


def check_window(window_days: int) -> int:
    if not MIN_WINDOW_DAYS <= window_days <= MAX_WINDOW_DAYS:
        message = f"Look back {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS} days."
        raise Invalid.on("window_days", message)
    return window_days


def behaviour_plan(
    db: Session,
    actor: Actor,
    *,
    owner_id: int | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    now: datetime | None = None,
) -> PlanView:
    """The plan for every goal of the rep that has not ended yet, with overlap conflicts."""
    owner = readable_owner(actor, owner_id)
    user = actor.user if owner == actor.id else db.get_one(User, owner)
    now = now or utcnow()
    basis = plan_bases(db, [user], window_days=check_window(window_days), now=now)[user.id]
    goals = list(
        db.scalars(
            select(Goal)
            .where(Goal.owner_id == user.id, Goal.end_on >= basis.today)
            .order_by(Goal.start_on, Goal.id)
        )
    )
    ranges = [Range(user.id, local_midnight_utc(g.start_on, user), now) for g in goals]
    plans = []
    for goal, (won, value_cents) in zip(goals, won_in_ranges(db, ranges), strict=True):
        achieved = achieved_amount(goal, won, value_cents)
        plan = plan_goal(basis, goal, basis.today, achieved)
        plans.append(GoalPlan(goal, goal_name(goal), achieved, plan))
    overlaps = check_goal_overlaps([p.plan for p in plans], basis.work_week)
    return PlanView(basis, plans, overlaps)


def goal_name(goal: Goal) -> str:
    return f"{period_name(GoalPeriod(goal.period), goal.start_on)} {goal.kind} goal"


def achieved_amount(goal: Goal, won: int, value_cents: int) -> float:
    return value_cents / 100 if goal.kind == GoalKind.REVENUE else float(won)


def plan_goal(basis: PlanBasis, goal: Goal, today: date, achieved: float) -> BehaviourPlan:
    """One goal planned from `today`; money in currency units, like the rates."""
    amount = goal.amount / 100 if goal.kind == GoalKind.REVENUE else float(goal.amount)
    label = goal_name(goal).removesuffix(" goal")
    target = PlanGoal(amount, GoalKind(goal.kind), goal.start_on, goal.end_on, label)
    return build_plan(
        target, basis.rates, basis.work_week, basis.minutes, today=today, achieved=achieved
    )


def work_week(user: User) -> WorkWeek:
    days = frozenset(int(c) for c in user.working_days or "" if c in "0123456")
    return WorkWeek(
        selling_hours_per_week=max(0, user.selling_hours_per_week or 0),
        working_weekdays=days or frozenset(range(5)),
    )


def plan_bases(
    db: Session, users: Sequence[User], *, window_days: int, now: datetime
) -> dict[int, PlanBasis]:
    """Histories, rates, work weeks and minutes for several reps, counted in a few queries."""
    if not users:
        return {}
    teams = _team_pools(db, users)
    everyone = {u.id: u for u in users}
    missing = {rep for _names, reps in teams.values() for rep in reps} - set(everyone)
    if missing:
        everyone.update({u.id: u for u in db.scalars(select(User).where(User.id.in_(missing)))})
    owners = list(everyone.values())
    spans = [_window(u, window_days, now) for u in owners]
    counted = dict(zip((u.id for u in owners), count_spans(db, spans, detail=False), strict=True))
    pipeline = _pipeline_averages(db, [u.id for u in users])
    bases = {}
    for user in users:
        own = counted[user.id]
        names, reps = teams.get(user.id, ((), frozenset()))
        pool = _pooled([counted[rep] for rep in reps])
        prior, prior_note = _prior(names, pool, window_days)
        history = _history(own, window_days)
        rates = compute_rates(history, prior)
        if user.id in pipeline:  # what the rep sells sets the size, not the team's mix
            average, deals = pipeline[user.id]
            fallback = PriorRates(average_deal_size=average, label="pipeline")
            deal_size = compute_rates(history, fallback).average_deal_size
            rates = replace(rates, average_deal_size=deal_size)
            prior_note += (
                f" The average deal size leans on the average value of your own "
                f"{deals:,} deals with a value (any stage)."
            )
        minutes, minutes_note = _minutes(user, own.attempts_by_channel, window_days)
        bases[user.id] = PlanBasis(
            user=user,
            today=local_today(user, now),
            window_days=window_days,
            history=history,
            rates=rates,
            prior_note=prior_note,
            work_week=work_week(user),
            minutes=minutes,
            minutes_note=minutes_note,
        )
    return bases


def _window(user: User, window_days: int, now: datetime) -> Span:
    # Whole days of the rep's calendar, today included: interactions are counted by day.
    today = local_today(user, now)
    first = today - timedelta(days=window_days - 1)
    end = local_midnight_utc(today + timedelta(days=1), user)
    return Span(user.id, local_midnight_utc(first, user), end, first, today)


def _history(counts: SpanCounts, window_days: int) -> FunnelHistory:
    return FunnelHistory(
        won_count=counts.won_count,
        won_value=counts.won_value_cents / 100,
        proposals=counts.proposals,
        meetings=counts.meetings,
        conversations=counts.conversations,
        attempts=counts.attempts,
        window_days=window_days,
    )


def _team_pools(
    db: Session, users: Sequence[User]
) -> dict[int, tuple[tuple[str, ...], frozenset[int]]]:
    """For each rep: the names of their teams and every rep on those teams."""
    mine = (
        select(TeamMember.team_id)
        .where(TeamMember.user_id.in_([u.id for u in users]), TeamMember.role == TeamRole.REP)
        .scalar_subquery()
    )
    rows = db.execute(
        select(TeamMember.team_id, Team.name, TeamMember.user_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.team_id.in_(mine), TeamMember.role == TeamRole.REP)
    ).all()
    names = {team_id: name for team_id, name, _ in rows}
    reps: dict[int, set[int]] = {}
    for team_id, _name, user_id in rows:
        reps.setdefault(team_id, set()).add(user_id)
    pools = {}
    for user in users:
        teams = sorted(t for t, members in reps.items() if user.id in members)
        if teams:
            pooled = frozenset().union(*(reps[t] for t in teams))
            pools[user.id] = (tuple(names[t] for t in teams), pooled)
    return pools


def _pooled(counts: list[SpanCounts]) -> SpanCounts:
    pool = SpanCounts()
    for c in counts:
        pool.attempts += c.attempts
        pool.conversations += c.conversations
        pool.meetings += c.meetings
        pool.proposals += c.proposals
        pool.won_count += c.won_count
        pool.won_value_cents += c.won_value_cents
    return pool


def _ratio(successes: int, trials: int) -> float:
    return min(successes, trials) / trials


def _prior(team_names: Sequence[str], pool: SpanCounts, window_days: int) -> tuple[PriorRates, str]:
    defaults = (
        "the default rates (close 25%, proposal 50%, meeting 20%, connect 30%; one proposal "
        "in four closes, half the meetings bring a proposal, one conversation in five sets a "
        "meeting, three attempts in ten connect)"
    )
    if not team_names:
        return DEFAULT_PRIORS, f"You are not on a team, so thin rates lean on {defaults}."
    team = ", ".join(team_names)
    trials = {
        "proposals": pool.proposals,
        "meetings": pool.meetings,
        "connected conversations": pool.conversations,
        "attempts": pool.attempts,
    }
    fewest = min(trials, key=lambda name: trials[name])
    if trials[fewest] < BLEND_THRESHOLD:
        note = (
            f"Your team ({team}) logged too little in the last {window_days} days for team "
            f"rates (each needs at least {BLEND_THRESHOLD} events; it has "
            f"{trials[fewest]} {fewest}), so thin rates lean on {defaults}."
        )
        return DEFAULT_PRIORS, note
    prior = PriorRates(
        close_rate=_ratio(pool.won_count, pool.proposals),
        proposal_rate=_ratio(pool.proposals, pool.meetings),
        meeting_rate=_ratio(pool.meetings, pool.conversations),
        connect_rate=_ratio(pool.conversations, pool.attempts),
        average_deal_size=pool.won_value_cents / pool.won_count / 100 if pool.won_count else None,
        label="team",
    )
    note = (
        f"Thin rates lean on the pooled rates of your team ({team}): {pool.attempts:,} "
        f"attempts, {pool.proposals:,} proposals and {pool.won_count:,} sales in the last "
        f"{window_days} days."
    )
    return prior, note


def _pipeline_averages(db: Session, owner_ids: list[int]) -> dict[int, tuple[float, int]]:
    """The average value (currency units) and number of each rep's deals that have a value."""
    rows = db.execute(
        select(Deal.owner_id, func.avg(Deal.value_cents), func.count(Deal.id))
        .where(Deal.owner_id.in_(owner_ids), Deal.value_cents > 0)
        .group_by(Deal.owner_id)
    )
    return {owner: (float(average) / 100, n) for owner, average, n in rows if average}


def _minutes(
    user: User, by_channel: dict[str, int], window_days: int
) -> tuple[ChannelMinutes, str]:
    per = {channel: float(m) for channel, m in minutes_by_channel(user.channel_minutes).items()}
    meeting_channels = {str(c) for c in MEETING_CHANNELS}
    reach = {ch: n for ch, n in by_channel.items() if ch in per and ch not in meeting_channels}
    meets = {ch: n for ch, n in by_channel.items() if ch in meeting_channels}
    meets = meets or {str(Channel.MEETING): 1}
    meeting_minutes = sum(per[ch] * n for ch, n in meets.items()) / sum(meets.values())
    if reach:
        total = sum(reach.values())
        mix = ", ".join(
            f"{n / total:.0%} {ch}" for ch, n in sorted(reach.items(), key=lambda kv: -kv[1])
        )
        basis = f"your mix of calls, emails and texts over the last {window_days} days: {mix}"
    else:
        reach = {str(Channel.PHONE): 1}
        basis = "no calls, emails or texts logged yet, so each attempt is costed as a call"
    minutes = ChannelMinutes.from_channel_mix(per, reach, meeting_minutes)
    note = (
        f"Hours assume {minutes.minutes_per_attempt:.0f} minutes per attempt ({basis}) and "
        f"{meeting_minutes:.0f} minutes per meeting."
    )
    return minutes, note
