"""The demo books show every health rule and carry the lessons of their lost deals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from aimfire.domain.health import Rule
from aimfire.services.access import actor_for
from aimfire.services.demo import DEMO_LOGINS, load_demo
from aimfire.services.health import judge_open_deals
from aimfire.services.postmortems import losses_report
from aimfire.services.setup import Database
from aimfire.store.models import Deal, PipelineStage, PostMortem, User

DAY = date(2026, 3, 2)


@pytest.mark.parametrize("seed", [3, 7])
def test_each_demo_book_trips_every_health_rule(database: Database, seed: int) -> None:
    with database.sessions.begin() as db:
        load_demo(db, seed=seed, today=DAY)
    with database.sessions() as db:
        for login in DEMO_LOGINS[:2]:
            rep = db.scalar(select(User).where(User.email == login.email))
            assert rep is not None
            book = judge_open_deals(db, actor_for(db, rep), today=DAY)
            assert {flag.rule for judged in book for flag in judged.flags} == set(Rule), login.name


def test_lost_demo_deals_have_post_mortems_and_the_coach_sees_them(database: Database) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    with database.sessions() as db:
        rows = db.execute(
            select(Deal.id, PostMortem.outcome, PostMortem.reasons, PostMortem.lesson)
            .join(PipelineStage, PipelineStage.id == Deal.stage_id)
            .outerjoin(PostMortem, PostMortem.deal_id == Deal.id)
            .where(PipelineStage.outcome == "lost")
        ).all()
        written = [r for r in rows if r.outcome is not None]
        assert len(rows) - len(written) == 1  # one left for the rep to write in the demo
        assert all(r.outcome in ("lost", "abandoned") and r.reasons and r.lesson for r in written)
        coach = db.scalar(select(User).where(User.email == DEMO_LOGINS[2].email))
        assert coach is not None
        report = losses_report(
            db, actor_for(db, coach), start=DAY - timedelta(days=365), end=DAY, team=True
        )
        assert report.reasons and report.lessons and report.missing
        met = next(f for f in report.factors if f.key == "decision_maker_met")
        assert all(group.closed for group in met.groups)
