"""Server-rendered pages, one module per area of the product."""

from fastapi import APIRouter

from aimfire.web.pages import (
    accounts,
    admin,
    auth,
    behaviour_plan,
    calendar,
    coaching,
    contacts,
    deals,
    export,
    goals,
    health,
    imports,
    interactions,
    playbooks,
    postmortems,
    scorecard,
    settings,
    today,
)

router = APIRouter(include_in_schema=False)
for module in (auth, today, interactions, contacts, accounts, deals, settings, admin, playbooks):
    router.include_router(module.router)
for module in (health, postmortems):
    router.include_router(module.router)
for module in (goals, behaviour_plan, scorecard, coaching):
    router.include_router(module.router)
for module in (imports, export, calendar):
    router.include_router(module.router)
