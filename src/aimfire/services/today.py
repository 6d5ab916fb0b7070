"""Today: the day's queue, the readiness check before a calling block, and work mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from aimfire.domain.interactions import (
    BlockReadiness,
    Channel,
    CommitmentStatus,
    Reason,
    Status,
    block_readiness,
    follow_up_objective,
    minutes_by_channel,
)
from aimfire.errors import Invalid
from aimfire.services.access import Actor
from aimfire.services.commitments import overdue_prospect_promises
from aimfire.services.health import suggested_diagnoses
from aimfire.services.interactions import plan_problems
from aimfire.store.models import Commitment, Contact, Interaction, WorkSession
from aimfire.store.names import contact_names, deal_titles
from aimfire.store.types import utcnow

# Today proposes the most urgent few diagnoses; a long list of them is the health page's job.
TODAY_DIAGNOSES = 10


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Something Today proposes to plan: a follow-up on a promise, a stalled-deal diagnosis."""

    kind: str
    contact_id: int
    contact_name: str
    deal_id: int | None
    deal_title: str  # empty when there is no deal
    reason: Reason
    objective: str
    why: str
    commitment: Commitment | None = None

    @property
    def plan_url(self) -> str:
        params: dict[str, object] = {
            "contact_id": self.contact_id,
            "reason": self.reason.value,
            "objective": self.objective,
        }
        if self.deal_id is not None:
            params["deal_id"] = self.deal_id
        if self.commitment is not None:
            params["follows_commitment_id"] = self.commitment.id
        return "/interactions/new?" + urlencode(params)


@dataclass(frozen=True, slots=True)
class QueueRow:
    interaction: Interaction
    deal_title: str  # empty when the plan is on no deal
    problems: list[str]
    minutes: int
    overdue: bool


@dataclass
class Queue:
    day: date
    rows: list[QueueRow] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    more_diagnoses: int = 0  # flagged deals beyond those suggested; all are on /health

    @property
    def total_minutes(self) -> int:
        return sum(row.minutes for row in self.rows)

    @property
    def incomplete(self) -> dict[str, list[str]]:
        return {_label(row.interaction): row.problems for row in self.rows if row.problems}


def _label(interaction: Interaction) -> str:
    channel = (interaction.channel or "contact").replace("_", " ")
    return f"{channel.capitalize()} {interaction.contact.full_name}"


def minutes_for(actor: Actor, interaction: Interaction) -> int:
    if interaction.planned_minutes:
        return interaction.planned_minutes
    return minutes_by_channel(actor.user.channel_minutes)[interaction.channel or Channel.PHONE]


def day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time.min, zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, zone)


def local_day(actor: Actor, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(actor.user.time_zone)).date()


def due_interactions(db: Session, actor: Actor, day: date) -> list[Interaction]:
    """Planned interactions scheduled on ``day`` (the user's day) or earlier and not done."""
    _, end = day_bounds(day, actor.user.time_zone)
    return list(db.scalars(_DUE, {"owner": actor.id, "end": end}))


# Built once, the owner and the day's end bound when it runs: every visit to Today asks.
_DUE = (
    select(Interaction)
    .where(
        Interaction.owner_id == bindparam("owner"),
        Interaction.status == Status.PLANNED,
        Interaction.scheduled_at < bindparam("end"),
    )
    .order_by(Interaction.scheduled_at, Interaction.id)
    # Today names each deal (store.names.deal_titles) and shows nothing else of it, nor the
    # contact's account or the plan's type; work mode loads them for its one plan. The
    # contacts come by id in a second statement: joined, PostgreSQL (expecting the rep's
    # 1,000 plans rather than the day's 40) merged the plans with all 100,000 contacts.
    .options(
        lazyload(Interaction.deal),
        lazyload(Interaction.type),
        selectinload(Interaction.contact).lazyload(Contact.account),
    )
)


def today_queue(db: Session, actor: Actor, now: datetime | None = None) -> Queue:
    day = local_day(actor, now)
    start, _ = day_bounds(day, actor.user.time_zone)
    queue = Queue(day)
    due = due_interactions(db, actor, day)
    promises = overdue_prospect_promises(db, actor, day)
    titles = deal_titles(db, [i.deal_id for i in due] + [p.deal_id for p in promises])
    promisers = contact_names(db, [p.contact_id for p in promises])

    def title(deal_id: int | None) -> str:
        return titles[deal_id] if deal_id is not None else ""

    for interaction in due:
        queue.rows.append(
            QueueRow(
                interaction,
                title(interaction.deal_id),
                plan_problems(interaction),
                minutes_for(actor, interaction),
                overdue=interaction.scheduled_at < start,
            )
        )
    for promise in promises:
        name = promisers[promise.contact_id]
        queue.suggestions.append(
            Suggestion(
                "follow_up",
                promise.contact_id,
                name,
                promise.deal_id,
                title(promise.deal_id),
                Reason.COMMITMENT_FOLLOW_UP,
                follow_up_objective(promise.description),
                f"{name} promised “{promise.description}” by {promise.due_on:%a %d %b}.",
                promise,
            )
        )
    diagnoses = suggested_diagnoses(db, actor, day, per_page=TODAY_DIAGNOSES)
    queue.more_diagnoses = diagnoses.total - len(diagnoses.items)
    for diagnosis in diagnoses.items:
        queue.suggestions.append(
            Suggestion(
                "diagnosis",
                diagnosis.contact_id,
                diagnosis.contact_name,
                diagnosis.deal_id,
                diagnosis.deal_title,
                diagnosis.reason,
                diagnosis.objective,
                f"{diagnosis.deal_title}: {diagnosis.why} Ask yourself: {diagnosis.question}",
            )
        )
    return queue


def check_readiness(queue: Queue, attitude: int | None) -> BlockReadiness:
    readiness = block_readiness(queue.incomplete, attitude)
    if not queue.rows:
        return BlockReadiness(False, ["Nothing is planned for today: plan a calling block first."])
    return readiness


def start_work(db: Session, actor: Actor, attitude: int | None) -> WorkSession:
    """Start a calling block, or explain exactly what to fix first."""
    queue = today_queue(db, actor)
    readiness = check_readiness(queue, attitude)
    if not readiness.ready:
        raise Invalid("Not ready: " + " ".join(readiness.problems))
    assert attitude is not None
    session = WorkSession(owner_id=actor.id, attitude=attitude, planned_count=len(queue.rows))
    db.add(session)
    db.flush()
    return session


@dataclass(frozen=True, slots=True)
class WorkState:
    current: Interaction | None
    done: int
    total: int
    history: list[Interaction]
    open_promises: list[Commitment]


def current_session(db: Session, actor: Actor) -> WorkSession | None:
    return db.scalar(
        select(WorkSession)
        .where(WorkSession.owner_id == actor.id)
        .order_by(WorkSession.started_at.desc())
        .limit(1)
    )


def work_state(db: Session, actor: Actor, session: WorkSession) -> WorkState:
    """The next interaction of the block, progress through it, and the contact's history."""
    due = due_interactions(db, actor, local_day(actor))
    done = db.scalar(
        select(func.count(Interaction.id)).where(
            Interaction.owner_id == actor.id,
            Interaction.status == Status.DONE,
            Interaction.logged_at >= session.started_at,
        )
    )
    current = due[0] if due else None
    history: list[Interaction] = []
    promises: list[Commitment] = []
    if current is not None:
        history = list(
            db.scalars(
                select(Interaction)
                .where(
                    Interaction.contact_id == current.contact_id, Interaction.status == Status.DONE
                )
                .order_by(Interaction.logged_at.desc())
                .limit(5)
            )
        )
        promises = list(
            db.scalars(
                select(Commitment)
                .where(
                    Commitment.contact_id == current.contact_id,
                    Commitment.status == CommitmentStatus.OPEN,
                )
                .order_by(Commitment.due_on)
            )
        )
    total = max(session.planned_count, (done or 0) + len(due))
    return WorkState(current, done or 0, total, history, promises)
