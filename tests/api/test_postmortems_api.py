"""Post-mortems through the API, and the loss report checked against the raw rows."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from aimfire.store.models import Deal, PostMortem, User
from health_support import NOW, closed_deal, deal, interaction
from support import Api, Personas, assert_error

LESSON = "I never met the owner; ask who decides before the proposal."


def test_closing_a_deal_as_lost_records_its_reasons_and_lesson(
    rita: Api, personas: Personas, db: Session
) -> None:
    open_deal = deal(db, personas.rita, stage_key="proposal")
    db.commit()
    body = {"outcome": "lost", "reasons": ["competitor", "never_met_decision_maker"],
            "lesson": LESSON}  # fmt: skip
    response = rita.post(f"/deals/{open_deal.id}/close", body)
    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["deal"]["stage_name"] == "Lost" and saved["deal"]["closed_at"]
    assert saved["reasons"] == ["never_met_decision_maker", "competitor"]  # taxonomy order
    assert saved["reason_labels"] == ["Never met the decision maker", "Competitor"]
    assert rita.get(f"/deals/{open_deal.id}/post-mortem").json()["lesson"] == LESSON


def test_a_loss_needs_reasons_and_a_lesson_and_nothing_is_written_without(
    rita: Api, personas: Personas, db: Session
) -> None:
    open_deal = deal(db, personas.rita, stage_key="proposal")
    db.commit()
    path = f"/deals/{open_deal.id}/close"
    assert_error(rita.post(path, {"outcome": "lost", "lesson": LESSON}), 422, "reasons")
    assert_error(rita.post(path, {"outcome": "abandoned", "reasons": ["other"]}), 422, "lesson")
    assert_error(rita.post(path, {"outcome": "lost", "reasons": ["bad luck"], "lesson": "x"}),
                 422, "reasons.0")  # fmt: skip
    assert_error(rita.post(path, {"outcome": "won", "reasons": ["competitor"]}), 422, "reasons")
    assert_error(rita.post(path, {"outcome": "draw"}), 422, "outcome")
    assert_error(rita.post(path, {"outcome": "lost", "reasons": ["other"], "lesson": "x" * 5001}),
                 422, "lesson")  # fmt: skip
    db.expire_all()
    assert db.get(Deal, open_deal.id).stage.key == "proposal"  # type: ignore[union-attr]
    assert db.scalar(select(func.count(PostMortem.id))) == 0
    assert_error(rita.get(f"/deals/{open_deal.id}/post-mortem"), 404)


def test_a_win_may_carry_a_note_and_a_post_mortem_can_be_corrected(
    rita: Api, personas: Personas, db: Session
) -> None:
    won = deal(db, personas.rita, stage_key="decision")
    gone = deal(db, personas.rita, stage_key="lost")
    db.commit()
    note = rita.post(f"/deals/{won.id}/close", {"outcome": "won", "lesson": "Met the owner."})
    assert note.json()["deal"]["stage_name"] == "Won" and note.json()["reasons"] == []
    first = {"outcome": "lost", "reasons": ["bid_on_price"], "lesson": "Price war."}
    rita.post(f"/deals/{gone.id}/close", first)
    again = {"outcome": "abandoned", "reasons": ["no_relationship"], "lesson": "Went dark."}
    corrected = rita.post(f"/deals/{gone.id}/close", again).json()
    assert (corrected["outcome"], corrected["reasons"]) == ("abandoned", ["no_relationship"])
    assert corrected["deal"]["stage_name"] == "Lost"
    assert db.scalar(select(func.count(PostMortem.id))) == 2


def test_only_the_owner_closes_and_a_coach_reads_the_post_mortem(
    rita: Api, ben: Api, cora: Api, personas: Personas, db: Session
) -> None:
    ritas = deal(db, personas.rita)
    db.commit()
    body = {"outcome": "lost", "reasons": ["other"], "lesson": "Moved away."}
    assert_error(ben.post(f"/deals/{ritas.id}/close", body), 404)
    assert_error(cora.post(f"/deals/{ritas.id}/close", body), 403)
    rita.post(f"/deals/{ritas.id}/close", body)
    assert cora.get(f"/deals/{ritas.id}/post-mortem").json()["lesson"] == "Moved away."
    assert_error(ben.get(f"/deals/{ritas.id}/post-mortem"), 404)


# --- the loss report -----------------------------------------------------------------------

START, END = date(2026, 3, 1), date(2026, 3, 31)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def crafted_quarter(db: Session, rep: User) -> None:
    """Closed deals of March 2026 with different facts, plus some that must not count."""
    met = {"decision_maker_met": True}
    proposal = {"proposal_sent_on": date(2026, 3, 2)}
    won_a = closed_deal(
        db, rep, closed_at=at(5), outcome="won", lesson="Met the owner.", **met, **proposal
    )
    interaction(
        db,
        won_a,
        when=at(4),
        channel="meeting",
        status="done",
        reached="connected",
        result="advance",
    )
    closed_deal(db, rep, closed_at=at(9), outcome="won", post_mortem=False, **met)
    lost_a = closed_deal(
        db,
        rep,
        closed_at=at(12),
        outcome="lost",
        **proposal,
        reasons=["never_met_decision_maker", "bid_on_price"],
        lesson="Ask early.",
    )
    interaction(db, lost_a, when=at(1), channel="meeting", status="done", reached="connected")
    interaction(
        db, lost_a, when=at(3), objective="Check in with them", status="done", reached="connected"
    )
    closed_deal(
        db,
        rep,
        closed_at=at(20),
        outcome="abandoned",
        reasons=["never_met_decision_maker"],
        lesson="Went dark.",
    )
    closed_deal(db, rep, closed_at=at(25), outcome="lost", post_mortem=False, **met)
    # Outside the period, or still open: not counted.
    closed_deal(
        db,
        rep,
        closed_at=datetime(2026, 2, 28, 23, tzinfo=UTC),
        outcome="lost",
        reasons=["competitor"],
        lesson="Too early.",
    )
    closed_deal(db, rep, closed_at=datetime(2026, 4, 1, 1, tzinfo=UTC), outcome="won")
    deal(db, rep, stage_key="proposal")


def raw_rows(db: Session, owner_id: int) -> list[tuple[object, ...]]:
    """The closed deals of the period straight from the tables, no service involved."""
    rows = db.execute(
        text(
            "SELECT d.id, s.outcome, p.outcome, p.reasons, d.decision_maker_met "
            "FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id "
            "LEFT JOIN post_mortems p ON p.deal_id = d.id "
            "WHERE s.outcome <> 'open' AND d.owner_id = :owner "
            "AND d.closed_at >= :start AND d.closed_at < :end"
        ),
        {"owner": owner_id, "start": datetime(2026, 3, 1), "end": datetime(2026, 4, 1)},
    )
    return [tuple(row) for row in rows]


def test_the_loss_report_matches_the_raw_rows(rita: Api, personas: Personas, db: Session) -> None:
    rep = db.get(User, personas.rita.id)
    assert rep is not None
    crafted_quarter(db, rep)
    db.commit()
    report = rita.get("/reports/losses", start=START.isoformat(), end=END.isoformat()).json()
    rows = raw_rows(db, rep.id)
    stage_outcomes = Counter(row[1] for row in rows)
    assert report["closed"] == len(rows) == 5
    assert report["won"] == stage_outcomes["won"]
    lost_rows = [r for r in rows if r[1] == "lost"]
    abandoned = sum(1 for r in lost_rows if r[2] == "abandoned")
    assert (report["lost"], report["abandoned"]) == (len(lost_rows) - abandoned, abandoned)
    assert report["win_rate"] == stage_outcomes["won"] / len(rows)
    reviewed = [r for r in lost_rows if r[2] in ("lost", "abandoned")]
    counted: Counter[str] = Counter()
    for row in reviewed:
        reasons = row[3] if isinstance(row[3], list) else json.loads(str(row[3]))
        counted.update(set(reasons))
    assert {r["reason"]: r["count"] for r in report["reasons"]} == dict(counted)
    assert report["reasons"][0] == {"reason": "never_met_decision_maker",
        "label": "Never met the decision maker", "count": 2, "share": 1.0}  # fmt: skip
    assert [m["title"] for m in report["missing"]] == ["Season tickets"]
    assert [lesson["lesson"] for lesson in report["lessons"]] == ["Went dark.", "Ask early."]
    assert [w["lesson"] for w in report["wins"]] == ["Met the owner."]

    factors = {f["key"]: {g["label"]: (g["closed"], g["won"]) for g in f["groups"]}
               for f in report["factors"]}  # fmt: skip
    met_rows = [r for r in rows if r[4]]
    assert factors["decision_maker_met"]["Met"] == (
        len(met_rows),
        sum(1 for r in met_rows if r[1] == "won"),
    )
    assert factors["decision_maker_met"]["Never met"] == (2, 0)
    # Both proposals had a meeting; only the won one's came after the proposal was sent.
    assert factors["follow_up_booked"] == {"Booked": (1, 1), "Not booked": (1, 0)}
    assert factors["objectives"]["More tell, aimless or missing"] == (1, 0)
    assert factors["objectives"]["3 in 4 or more learning or action"] == (1, 1)
    assert factors["objectives"]["No interactions"] == (3, 1)
    assert factors["advances"]["0 to 2"] == (5, 2)
    assert report["advances_won"] == 0.5 and report["advances_not_won"] == 0


def test_the_report_period_is_the_viewers_calendar(
    rita: Api, personas: Personas, db: Session
) -> None:
    rep = db.get(User, personas.rita.id)
    assert rep is not None
    rep.time_zone = "America/Chicago"
    # 03:00 UTC on 1 March is still 28 February in Chicago.
    closed_deal(db, rep, closed_at=at(1, 3), outcome="won")
    closed_deal(db, rep, closed_at=datetime(2026, 4, 1, 3, tzinfo=UTC), outcome="won")
    db.commit()
    report = rita.get("/reports/losses", start=START.isoformat(), end=END.isoformat()).json()
    assert report["closed"] == 1


def test_a_coach_sees_the_team_report_of_the_reps_they_coach_only(
    rita: Api, cora: Api, ben: Api, personas: Personas, db: Session
) -> None:
    for rep in (personas.rita, personas.ben):
        closed_deal(db, rep, closed_at=at(10), outcome="lost", reasons=["competitor"],
                    lesson=f"{rep.name} lost to a rival.")  # fmt: skip
    db.commit()
    period = {"start": START.isoformat(), "end": END.isoformat()}
    team = cora.get("/reports/losses", team="true", **period).json()
    assert [lesson["owner_name"] for lesson in team["lessons"]] == ["Rita"]
    assert cora.get("/reports/losses", owner_id=personas.rita.id, **period).json()["lost"] == 1
    assert_error(cora.get("/reports/losses", owner_id=personas.ben.id, **period), 404)
    assert_error(ben.get("/reports/losses", owner_id=personas.rita.id, **period), 404)
    assert [
        x["owner_name"]
        for x in rita.get("/reports/losses", team="true", **period).json()["lessons"]
    ] == ["Rita"]
    assert cora.get("/reports/losses", **period).json()["closed"] == 0


def test_a_report_period_must_make_sense(rita: Api) -> None:
    assert_error(rita.get("/reports/losses", start="2026-03-31", end="2026-03-01"), 422, "start")
    assert_error(rita.get("/reports/losses", start="2016-01-01", end="2026-03-01"), 422, "start")
    assert_error(rita.get("/reports/losses", start="last week"), 422, "query.start")


def test_the_default_period_is_the_last_ninety_days(rita: Api) -> None:
    report = rita.get("/reports/losses").json()
    end = date.fromisoformat(report["end"])
    assert end - date.fromisoformat(report["start"]) == timedelta(days=89)
    assert abs((end - NOW.date()).days) <= 1
