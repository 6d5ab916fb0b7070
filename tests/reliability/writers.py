"""A writer for the concurrency tests: plans interactions and logs their outcomes through the
service layer, one transaction per action, like a request. Importable by spawned processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aimfire.config import Settings
from aimfire.services.access import actor_for
from aimfire.services.interactions import OutcomeInput, PlanInput, log_outcome, plan_interaction
from aimfire.services.setup import Database, open_database
from aimfire.store.db import begin_write
from aimfire.store.models import User

START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def write_many(
    database: Database, user_id: int, contact_id: int, deal_id: int | None, count: int, tag: str
) -> list[str]:
    """Plan ``count`` interactions (on the deal, if any) and log each with a promise and a
    next plan; the errors seen."""
    errors = []
    for n in range(count):
        try:
            with database.sessions() as db:
                begin_write(db)
                actor = actor_for(db, db.get_one(User, user_id))
                planned = plan_interaction(
                    db,
                    actor,
                    PlanInput(
                        contact_id=contact_id,
                        deal_id=deal_id,
                        reason="referral",
                        channel="phone",
                        objective=f"Learn who decides ({tag} {n})",
                        scheduled_at=START + timedelta(minutes=n),
                    ),
                )
                db.commit()
            with database.sessions() as db:
                begin_write(db)
                actor = actor_for(db, db.get_one(User, user_id))
                log_outcome(
                    db,
                    actor,
                    planned.id,
                    OutcomeInput.model_validate(
                        {
                            "reached": "connected",
                            "objective_met": "yes",
                            "result": "advance",
                            "commitments": [
                                {
                                    "party": "prospect",
                                    "description": f"Ask {tag} {n}",
                                    "due_on": "2030-03-20",
                                }
                            ],
                            "next_step": "scheduled",
                            "next": {
                                "scheduled_at": START + timedelta(days=7, minutes=n),
                                "channel": "meeting",
                                "objective": "Get a date to present",
                            },
                        }
                    ),
                )
                db.commit()
        except Exception as error:  # every failure a caller would see is the finding
            errors.append(f"{type(error).__name__}: {error}".splitlines()[0])
    return errors


def process_main(  # type: ignore[no-untyped-def]
    url: str,
    data_dir: str,
    user_id: int,
    contact_id: int,
    deal_id: int | None,
    count: int,
    tag: str,
):
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        database_url=url,
        secret_key="concurrency",
    )
    database = open_database(settings, migrate=False)
    try:
        return write_many(database, user_id, contact_id, deal_id, count, tag)
    finally:
        database.dispose()
