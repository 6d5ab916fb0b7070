"""The JSON API under /api/v1, one module per area of the product."""

from fastapi import APIRouter

from aimfire.web.api import (
    accounts,
    admin,
    behaviour_plan,
    calendar,
    coaching,
    commitments,
    contacts,
    deals,
    export,
    goals,
    health,
    imports,
    interactions,
    me,
    objective,
    playbooks,
    postmortems,
    scorecard,
)

router = APIRouter(prefix="/api/v1")
for module in (me, contacts, accounts, deals, admin):
    router.include_router(module.router)
for module in (interactions, commitments, playbooks, objective):
    router.include_router(module.router)
for module in (health, postmortems):
    router.include_router(module.router)
for module in (goals, behaviour_plan, scorecard, coaching):
    router.include_router(module.router)
for module in (imports, export, calendar):
    router.include_router(module.router)
