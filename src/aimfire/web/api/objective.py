"""The objective check over HTTP: the planning form calls it as the rep types."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aimfire.domain.interactions import Channel
from aimfire.domain.objective import REWRITE_RULES, check_objective
from aimfire.services.validation import Input
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor

router = APIRouter(tags=["objective check"], responses=ERRORS)


class ObjectiveText(Input):
    text: str = Field(max_length=2000)
    channel: Channel | None = None
    interaction_type: str | None = Field(default=None, max_length=120)


class FindingOut(BaseModel):
    rule: str
    message: str
    start: int
    end: int
    suggestion: str | None
    rewrite: bool = Field(description="The suggestion can replace the objective as it stands")


class ObjectiveCheckOut(BaseModel):
    text: str
    label: str = Field(description="learning, action, tell, aimless or missing")
    ok: bool = Field(description="True for learning and action objectives")
    findings: list[FindingOut]


@router.post("/objective-check", response_model=ObjectiveCheckOut)
def check(_actor: ApiActor, data: ObjectiveText) -> ObjectiveCheckOut:
    """Label an objective and explain each problem, with a learning-mode rewrite."""
    result = check_objective(
        data.text, channel=data.channel, interaction_type=data.interaction_type
    )
    body = result.to_dict()
    for finding in body["findings"]:
        finding["rewrite"] = finding["rule"] in REWRITE_RULES and bool(finding["suggestion"])
    return ObjectiveCheckOut.model_validate(body)
