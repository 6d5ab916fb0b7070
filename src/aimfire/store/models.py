"""The tables, as typed SQLAlchemy models. Rules live in ``aimfire.domain``, not here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship

from aimfire.domain.contacts import person_name
from aimfire.store.types import UTCDateTime, utcnow

# Stable constraint names so Alembic can alter tables on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    week_start: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday ... 6 = Sunday
    # Minutes per interaction by channel; missing channels use domain defaults.
    channel_minutes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    working_days: Mapped[str] = mapped_column(String(7), default="01234")  # weekday digits
    selling_hours_per_week: Mapped[int] = mapped_column(Integer, default=20)
    # Bumped to rotate the secret calendar feed address; old addresses stop working.
    calendar_version: Mapped[int] = mapped_column(Integer, default=1)


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Team(Timestamped, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.user_id"
    )


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # domain.teams.TeamRole

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class PipelineStage(Base):
    __tablename__ = "pipeline_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(8), default="open")  # domain.pipeline.StageOutcome
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Deal-health thresholds for deals in this stage; None means the domain default.
    max_days_in_stage: Mapped[int | None] = mapped_column(Integer)
    stall_attempts: Mapped[int | None] = mapped_column(Integer)
    stall_days: Mapped[int | None] = mapped_column(Integer)


class Account(Timestamped, Base):
    __tablename__ = "accounts"
    # With the folded name: a search matches companies from the index alone.
    __table_args__ = (Index("ix_accounts_owner_name", "owner_id", "name", "search_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The name folded (domain.contacts.folded), kept by store.searchable.
    search_text: Mapped[str] = mapped_column(Text, default="")


# An import matches the companies its rows name in any case ("ACME Ltd" is "Acme Ltd"): looked
# up by this, not by reading all of the owner's accounts for every batch. With the name, it
# holds all that lookup reads, and SQLite chooses it even before any statistics exist.
Index("ix_accounts_owner_lower_name", Account.owner_id, func.lower(Account.name), Account.name)


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # A search reads this index alone: it is in list order and holds every column the
        # filter needs, so no contact row is visited until it is on the page.
        Index(
            "ix_contacts_owner_name_search",
            "owner_id",
            "last_name",
            "first_name",
            "id",
            "archived_at",
            "account_id",
            "search_text",
        ),
        Index("ix_contacts_owner_email", "owner_id", "email"),
        Index("ix_contacts_owner_phone_digits", "owner_id", "phone_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_digits: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(24), default="other")  # ContactSource
    role: Mapped[str | None] = mapped_column(String(24))  # ContactRole, their usual part
    notes: Mapped[str] = mapped_column(Text, default="")
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # domain.contacts.search_text of the columns above, kept by store.searchable.
    search_text: Mapped[str] = mapped_column(Text, default="")

    account: Mapped[Account | None] = relationship(lazy="joined")

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)


class Deal(Timestamped, Base):
    __tablename__ = "deals"
    __table_args__ = (
        # In the board's order, with the value: the board's cards and totals and the plan's
        # average deal read no row.
        Index("ix_deals_owner_stage", "owner_id", "stage_id", "stage_entered_at", "value_cents"),
        # With stage and value: a span's sales are counted from the index alone.
        Index("ix_deals_owner_closed", "owner_id", "closed_at", "stage_id", "value_cents"),
        Index("ix_deals_owner_proposal_sent", "owner_id", "proposal_sent_on"),
        # The deals list, most recently changed first: a page is read, not the book sorted.
        Index("ix_deals_owner_updated", "owner_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    value_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id"))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision_maker_met: Mapped[bool] = mapped_column(Boolean, default=False)
    proposal_sent_on: Mapped[date | None] = mapped_column(Date)
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    stage: Mapped[PipelineStage] = relationship(lazy="joined")
    contact: Mapped[Contact | None] = relationship(lazy="joined")
    account: Mapped[Account | None] = relationship(lazy="joined")
    # Loaded with the deals, in one query for all of them: every deal the API returns lists
    # its people, and loading them deal by deal cost a query per deal.
    people: Mapped[list[DealContact]] = relationship(
        back_populates="deal",
        cascade="all, delete-orphan",
        order_by="DealContact.contact_id",
        lazy="selectin",
    )
    stage_changes: WriteOnlyMapped[DealStageChange] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="DealStageChange.id"
    )


class DealContact(Base):
    """A person's part in one deal (decision maker, influencer, gatekeeper, user)."""

    __tablename__ = "deal_contacts"
    __table_args__ = (UniqueConstraint("deal_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(24))  # ContactRole

    deal: Mapped[Deal] = relationship(back_populates="people")
    contact: Mapped[Contact] = relationship(lazy="joined")


class Playbook(Timestamped, Base):
    """Interaction types with their defaults. Built-in ones have no team; teams edit copies."""

    __tablename__ = "playbooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    types: Mapped[list[InteractionType]] = relationship(
        back_populates="playbook",
        cascade="all, delete-orphan",
        order_by="InteractionType.position",
    )


class InteractionType(Base):
    __tablename__ = "interaction_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(
        ForeignKey("playbooks.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    default_channel: Mapped[str] = mapped_column(String(16))  # domain.interactions.Channel
    default_reason: Mapped[str | None] = mapped_column(String(32))  # Reason
    default_objective: Mapped[str] = mapped_column(Text, default="")
    default_learning_questions: Mapped[str] = mapped_column(Text, default="")  # one per line
    # Pipeline stage keys (comma-separated) where this type is the natural next step.
    for_stages: Mapped[str] = mapped_column(String(300), default="")

    playbook: Mapped[Playbook] = relationship(back_populates="types")


class Interaction(Timestamped, Base):
    """A planned call, email or meeting and, once it happened, its outcome."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_owner_status_scheduled", "owner_id", "status", "scheduled_at"),
        Index("ix_interactions_contact_scheduled", "contact_id", "scheduled_at"),
        Index("ix_interactions_deal_scheduled", "deal_id", "scheduled_at"),
        Index("ix_interactions_owner_logged", "owner_id", "logged_at"),
        # The few that follow up a promise: Today asks which overdue promises have one.
        Index(
            "ix_interactions_follows_commitment",
            "follows_commitment_id",
            "status",
            postgresql_where=text("follows_commitment_id IS NOT NULL"),
            sqlite_where=text("follows_commitment_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    type_id: Mapped[int | None] = mapped_column(
        ForeignKey("interaction_types.id", ondelete="SET NULL")
    )
    # The plan: who (contact), why, how, what, what to learn, the range of acceptable results.
    reason: Mapped[str | None] = mapped_column(String(32))  # domain.interactions.Reason
    channel: Mapped[str | None] = mapped_column(String(16))  # Channel
    objective: Mapped[str] = mapped_column(Text, default="")
    objective_label: Mapped[str] = mapped_column(String(16), default="missing")  # objective check
    learning_questions: Mapped[str] = mapped_column(Text, default="")  # one per line
    best_outcome: Mapped[str] = mapped_column(Text, default="")
    minimum_outcome: Mapped[str] = mapped_column(Text, default="")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="planned")  # Status
    # Set when this interaction follows up a prospect's overdue promise.
    follows_commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="SET NULL", use_alter=True)
    )
    # The outcome.
    reached: Mapped[str | None] = mapped_column(String(12))  # Reached
    objective_met: Mapped[str | None] = mapped_column(String(8))  # ObjectiveMet
    result: Mapped[str | None] = mapped_column(String(16))  # Result
    answers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    learned: Mapped[str] = mapped_column(Text, default="")
    tonality: Mapped[int | None] = mapped_column(Integer)
    emotional_engagement: Mapped[int | None] = mapped_column(Integer)
    business_relevance: Mapped[int | None] = mapped_column(Integer)
    personal_relevance: Mapped[int | None] = mapped_column(Integer)
    depth_of_engagement: Mapped[int | None] = mapped_column(Integer)
    actual_minutes: Mapped[int | None] = mapped_column(Integer)
    logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_step: Mapped[str | None] = mapped_column(String(12))  # NextStepKind
    no_next_step_reason: Mapped[str] = mapped_column(Text, default="")
    next_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )

    contact: Mapped[Contact] = relationship(lazy="joined")
    deal: Mapped[Deal | None] = relationship(lazy="joined")
    type: Mapped[InteractionType | None] = relationship(lazy="joined")


class DealActivity(Base):
    """A deal's interactions summed up for deal health; derived, rebuilt by
    ``store.deal_activity`` whenever they change. A deal with no interactions has no row."""

    __tablename__ = "deal_activity"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    # The latest meeting or video call, planned or held (not cancelled, no no-show).
    latest_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned: Mapped[int] = mapped_column(Integer)  # interactions planned, not yet done
    last_conversation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unanswered: Mapped[int] = mapped_column(Integer)  # attempts since the last conversation
    first_unanswered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DealFlagDays(Base):
    """The first day each deal-health rule flags an open deal (``domain.health.first_flag_days``),
    on its owner's calendar; None where the rule does not flag it. Derived, rebuilt by
    ``store.deal_flags`` whenever the deal's facts change. A closed deal has no row."""

    __tablename__ = "deal_flag_days"
    __table_args__ = (Index("ix_deal_flag_days_owner", "owner_id"),)

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value_cents: Mapped[int] = mapped_column(BigInteger)  # ranks deals flagged alike
    # Someone to get in touch with: the deal's contact or a decision maker.
    reachable: Mapped[bool] = mapped_column(Boolean)
    stalled: Mapped[date | None] = mapped_column(Date)
    proposal_without_follow_up: Mapped[date | None] = mapped_column(Date)
    promise_overdue: Mapped[date | None] = mapped_column(Date)
    no_next_step: Mapped[date | None] = mapped_column(Date)
    decision_maker_unknown: Mapped[date | None] = mapped_column(Date)
    decision_maker_not_met: Mapped[date | None] = mapped_column(Date)
    too_long_in_stage: Mapped[date | None] = mapped_column(Date)


class RepDay(Base):
    """One rep's logged interactions on one day of their calendar, counted for scorecards and
    behaviour plans. Derived, rebuilt by ``store.rep_days`` whenever they change. A day with
    nothing logged has no row."""

    __tablename__ = "rep_days"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    conversations: Mapped[int] = mapped_column(Integer)
    meetings: Mapped[int] = mapped_column(Integer)
    advances: Mapped[int] = mapped_column(Integer)
    objectives_met: Mapped[int] = mapped_column(Integer)
    objectives_partly_met: Mapped[int] = mapped_column(Integer)
    objectives_missed: Mapped[int] = mapped_column(Integer)
    by_channel: Mapped[dict[str, int]] = mapped_column(JSON)  # channel or "unknown" -> attempts
    quality: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)  # factor -> rating -> times


class Commitment(Timestamped, Base):
    """A promise made in an interaction, by the prospect or by the rep."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_owner_status_due", "owner_id", "status", "due_on"),
        Index("ix_commitments_contact", "contact_id"),
        Index("ix_commitments_deal", "deal_id"),
        # Holds what a scorecard counts of the promises resolved in a span, so it reads no row.
        Index("ix_commitments_owner_resolved", "owner_id", "resolved_at", "party", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    party: Mapped[str] = mapped_column(String(12))  # domain.interactions.Party
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # CommitmentStatus
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(lazy="joined")
    deal: Mapped[Deal | None] = relationship(lazy="joined")
    interaction: Mapped[Interaction | None] = relationship(foreign_keys=[interaction_id])


class WorkSession(Base):
    """A calling block started after the readiness check, with the rep's attitude."""

    __tablename__ = "work_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attitude: Mapped[int] = mapped_column(Integer)
    planned_count: Mapped[int] = mapped_column(Integer, default=0)


class Goal(Timestamped, Base):
    """Revenue (in cents) or units to reach in a period, for a rep."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_owner_start", "owner_id", "start_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # revenue | units
    amount: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(8))  # week | month | quarter
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)


class WeeklyTarget(Base):
    """Targets for one week set by hand; without one, the behaviour plan's are used."""

    __tablename__ = "weekly_targets"
    __table_args__ = (UniqueConstraint("owner_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week label, 2026-W48
    sales: Mapped[int | None] = mapped_column(BigInteger)
    base_moves: Mapped[int | None] = mapped_column(Integer)
    conversations: Mapped[int | None] = mapped_column(Integer)


class CoachNote(Base):
    """A coach's typed note on a rep's week, a deal or an interaction."""

    __tablename__ = "coach_notes"
    __table_args__ = (Index("ix_coach_notes_rep_created", "rep_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # coach | mentor | motivate | hold_accountable
    body: Mapped[str] = mapped_column(Text)
    week: Mapped[str | None] = mapped_column(String(8))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")


class PostMortem(Timestamped, Base):
    """Why a deal was lost or abandoned (or what worked when won), in the rep's words."""

    __tablename__ = "post_mortems"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))  # won | lost | abandoned
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    lesson: Mapped[str] = mapped_column(Text, default="")


class DealStageChange(Base):
    """Each move of a deal between stages, so weeks can count deals moved forward."""

    __tablename__ = "deal_stage_changes"
    # Holds what a scorecard needs to count the forward moves in a span, so it reads no row.
    __table_args__ = (
        Index(
            "ix_deal_stage_changes_owner_changed",
            "owner_id",
            "changed_at",
            "from_stage_id",
            "to_stage_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataVersion(Base):
    """One row whose number every transaction that changes the data raises as it commits
    (``store.data_version``): a page kept with the number it was made at is current while
    the number is the same."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
