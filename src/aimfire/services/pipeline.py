"""The pipeline's stages: listed for everyone, changed by admins."""

from __future__ import annotations

import re

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.domain.pipeline import DEFAULT_STAGES, StageOutcome
from aimfire.errors import Conflict, Invalid, NotFound
from aimfire.services.access import Actor, require_admin
from aimfire.services.validation import Input
from aimfire.store.models import Deal, PipelineStage


class StageInput(Input):
    name: str = Field(min_length=1, max_length=80)
    outcome: StageOutcome = StageOutcome.OPEN
    is_active: bool = True


def list_stages(db: Session, *, include_inactive: bool = False) -> list[PipelineStage]:
    query = select(PipelineStage).order_by(PipelineStage.position, PipelineStage.id)
    if not include_inactive:
        query = query.where(PipelineStage.is_active)
    return list(db.scalars(query))


def ensure_default_stages(db: Session) -> None:
    if db.scalar(select(func.count(PipelineStage.id))):
        return
    for position, spec in enumerate(DEFAULT_STAGES):
        db.add(PipelineStage(key=spec.key, name=spec.name, outcome=spec.outcome, position=position))
    db.flush()


def first_open_stage(db: Session) -> PipelineStage:
    stage = next((s for s in list_stages(db) if s.outcome == StageOutcome.OPEN), None)
    if stage is None:
        raise Invalid("The pipeline has no open stage; ask an admin to add one.")
    return stage


def get_stage(db: Session, stage_id: int) -> PipelineStage:
    stage = db.get(PipelineStage, stage_id)
    if stage is None:
        raise NotFound("pipeline stage")
    return stage


def create_stage(db: Session, actor: Actor, data: StageInput) -> PipelineStage:
    require_admin(actor)
    key = re.sub(r"[^a-z0-9]+", "_", data.name.lower()).strip("_") or "stage"
    if db.scalar(select(PipelineStage.id).where(PipelineStage.key == key)) is not None:
        raise Conflict(f"A stage called '{data.name}' already exists.")
    position = (db.scalar(select(func.max(PipelineStage.position))) or 0) + 1
    stage = PipelineStage(
        key=key, name=data.name, outcome=data.outcome, is_active=data.is_active, position=position
    )
    db.add(stage)
    db.flush()
    return stage


def update_stage(db: Session, actor: Actor, stage_id: int, data: StageInput) -> PipelineStage:
    require_admin(actor)
    stage = get_stage(db, stage_id)
    if not data.is_active and stage.is_active:
        in_use = db.scalar(select(func.count(Deal.id)).where(Deal.stage_id == stage.id))
        if in_use:
            raise Conflict(f"{in_use} deals are in '{stage.name}'; move them before hiding it.")
    stage.name, stage.outcome, stage.is_active = data.name, data.outcome, data.is_active
    return stage


def move_stage(db: Session, actor: Actor, stage_id: int, offset: int) -> list[PipelineStage]:
    """Move a stage one place earlier (offset -1) or later (+1) in the pipeline."""
    require_admin(actor)
    stages = list_stages(db, include_inactive=True)
    index = next((i for i, s in enumerate(stages) if s.id == stage_id), None)
    if index is None:
        raise NotFound("pipeline stage")
    target = index + offset
    if 0 <= target < len(stages):
        stages[index], stages[target] = stages[target], stages[index]
    for position, stage in enumerate(stages):
        stage.position = position
    return stages
