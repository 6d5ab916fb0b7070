"""The demo's goals and coach notes make a plan, a scorecard and a dashboard worth showing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from aimfire.services.access import actor_for
from aimfire.services.behaviour_plan import behaviour_plan
from aimfire.services.coaching import dashboard, list_notes
from aimfire.services.demo import DEMO_LOGINS, load_demo
from aimfire.services.setup import Database
from aimfire.store.models import Goal, User

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)


def test_each_demo_rep_has_a_quarter_goal_their_own_funnel_can_reach(database: Database) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    with database.sessions() as db:
        users = {u.email: u for u in db.scalars(select(User))}
        jordan, sam, morgan = (users[DEMO_LOGINS[i].email] for i in range(3))
        sizes = []
        for rep in (jordan, sam):
            [goal] = db.scalars(select(Goal).where(Goal.owner_id == rep.id))
            assert (goal.kind, goal.period) == ("revenue", "quarter")
            assert (goal.start_on, goal.end_on) == (date(2026, 1, 1), date(2026, 3, 31))
            view = behaviour_plan(db, actor_for(db, rep), now=NOW)
            [plan] = view.plans
            assert plan.plan.remaining_amount > 0
            assert plan.plan.conflicts == ()  # within the rep's selling hours
            assert 0 < (plan.plan.hours_per_week or 0) <= rep.selling_hours_per_week
            sizes.append(view.basis.rates.average_deal_size.value or 0)
        assert sizes[1] > sizes[0]  # software deals are bigger than ticket deals
        coach = actor_for(db, morgan)
        rows = dashboard(db, coach, now=NOW)
        assert [row.rep.name for row in rows] == ["Jordan Reyes", "Sam Okafor"]
        assert all(row.score.targets.conversations for row in rows)
        for rep in (jordan, sam):
            notes = list_notes(db, coach, rep_id=rep.id)
            assert notes and all(note.author_id == morgan.id for note in notes)
            assert any(note.acknowledged_at is None for note in notes)
