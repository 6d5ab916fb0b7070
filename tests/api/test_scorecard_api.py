"""The weekly scorecard: counts from the raw rows, local weeks across clock changes, targets."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from history_rows import History, utc
from support import Api, Personas, assert_error, log_in

WEEKS = {  # a UTC rep whose weeks start on Monday
    "2025-W09": (utc(2025, 2, 24), utc(2025, 3, 3)),
    "2025-W10": (utc(2025, 3, 3), utc(2025, 3, 10)),
    "2025-W11": (utc(2025, 3, 10), utc(2025, 3, 17)),
}
QUALITY = ("tonality", "emotional_engagement", "business_relevance")


@dataclass
class Logged:
    at: datetime
    status: str
    channel: str
    reached: str
    result: str
    met: str | None
    ratings: dict[str, int]


def line(card: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(item for item in card["lines"] if item["name"] == name)


def test_the_counts_match_a_count_of_the_raw_rows_week_by_week(
    rita: Api, db: Session, personas: Personas
) -> None:
    rng = random.Random(20250303)
    rows = History(db, personas.rita)
    first, last = WEEKS["2025-W09"][0], WEEKS["2025-W11"][1]
    span = int((last - first).total_seconds()) + 3 * 24 * 3600  # a few rows after the end

    def moment() -> datetime:
        return first - timedelta(days=1) + timedelta(seconds=rng.randrange(span))

    logged = []
    for _ in range(90):
        entry = Logged(
            at=moment(),
            status=rng.choice(["done", "done", "done", "planned", "cancelled"]),
            channel=rng.choice(["phone", "email", "meeting", "video", "text"]),
            reached=rng.choice(["connected", "voicemail", "no_answer", "bounced"]),
            result=rng.choice(["order", "advance", "continuation", "no_sale"]),
            met=rng.choice(["yes", "partly", "no", None]),
            ratings={f: rng.randint(1, 5) for f in QUALITY if rng.random() < 0.6},
        )
        logged.append(entry)
        rows.interaction(
            entry.at,
            status=entry.status,
            channel=entry.channel,
            reached=entry.reached,
            result=entry.result,
            objective_met=entry.met,
            **entry.ratings,
        )
    won = [(moment(), rng.randint(1, 90) * 100) for _ in range(12)]
    for at, value in won:
        rows.won(value, at)
    lost = [rows.deal(500, "lost", closed_at=moment()) for _ in range(4)]
    order = ["new", "qualified", "meeting_set", "proposal", "won", "lost"]
    moves = []
    for _ in range(25):
        a, b = rng.sample(order, 2)
        at = moment()
        rows.move(lost[0], a, b, at)
        moves.append((at, order.index(b) > order.index(a) and b != "lost"))
    rows.move(lost[1], None, "new", moment())  # a deal's creation is no move forward
    promises = [(moment(), rng.choice(["kept", "broken"]), rng.choice(["prospect", "rep"]))]
    promises += [(moment(), rng.choice(["kept", "broken"]), "prospect") for _ in range(15)]
    for at, status, party in promises:
        rows.promise(status, at, party=party)
    rows.promise("open", None)
    db.commit()

    seen: Counter[str] = Counter()
    for label, (start, end) in WEEKS.items():
        card = rita.get("/scorecard", week=label).json()
        seen.update({k: v for k, v in card["counts"].items() if isinstance(v, int)})
        inside = [e for e in logged if start <= e.at < end and e.status == "done"]
        met = Counter(e.met for e in inside)
        kept = Counter(s for at, s, party in promises if start <= at < end and party == "prospect")
        expected = {
            "won_value": float(sum(v for at, v in won if start <= at < end)),
            "won_deals": sum(start <= at < end for at, _ in won),
            "advances_logged": sum(e.result == "advance" for e in inside),
            "stage_advances": sum(start <= at < end and forward for at, forward in moves),
            "connected_conversations": sum(e.reached == "connected" for e in inside),
            "objectives_met": met["yes"],
            "objectives_partly_met": met["partly"],
            "objectives_missed": met["no"],
            "prospect_promises_kept": kept["kept"],
            "prospect_promises_broken": kept["broken"],
        }
        assert card["counts"] == expected, label
        assert card["week"]["label"] == label
        for quality in card["quality"]:
            given = [e.ratings[quality["factor"]] for e in inside if quality["factor"] in e.ratings]
            assert quality["ratings"] == len(given)
            if given:
                assert quality["average"] == pytest.approx(sum(given) / len(given))
            else:
                assert quality["average"] is None
    assert min(seen.values()) > 0, seen  # every kind of event was counted somewhere


@pytest.mark.parametrize(
    ("zone", "week_start", "label", "first_instant", "end_instant"),
    [
        # New York springs forward on Sunday 9 March 2025, the first day of a Sunday week.
        ("America/New_York", 6, "2025-W11", utc(2025, 3, 9, 5), utc(2025, 3, 16, 4)),
        # New York falls back on Sunday 2 November 2025, the last day of a Monday week.
        ("America/New_York", 0, "2025-W44", utc(2025, 10, 27, 4), utc(2025, 11, 3, 5)),
        # Berlin springs forward on Sunday 30 March 2025.
        ("Europe/Berlin", 0, "2025-W13", utc(2025, 3, 23, 23), utc(2025, 3, 30, 22)),
        # Sydney falls back on Sunday 6 April 2025, inside a Saturday week.
        ("Australia/Sydney", 5, "2025-W15", utc(2025, 4, 4, 13), utc(2025, 4, 11, 14)),
    ],
)
def test_a_week_runs_from_local_midnight_to_local_midnight_across_a_clock_change(
    rita: Api,
    db: Session,
    personas: Personas,
    zone: str,
    week_start: int,
    label: str,
    first_instant: datetime,
    end_instant: datetime,
) -> None:
    settings = {"name": "Rita", "time_zone": zone, "week_start": week_start}
    assert rita.put("/me", settings).status_code == 200
    rows = History(db, personas.rita)
    second = timedelta(seconds=1)
    for at in (first_instant - second, first_instant, end_instant - second, end_instant):
        rows.interaction(at)
        rows.won(100, at)
    db.commit()
    card = rita.get("/scorecard", week=label).json()
    week = card["week"]
    assert datetime.fromisoformat(week["start_utc"]) == first_instant
    assert datetime.fromisoformat(week["end_utc"]) == end_instant
    assert week["time_zone"] == zone
    assert (end_instant - first_instant).total_seconds() / 3600 in (167, 169)
    assert card["counts"]["connected_conversations"] == 2
    assert (card["counts"]["won_deals"], card["counts"]["won_value"]) == (2, 200.0)


def test_targets_follow_the_plan_of_the_goal_that_covers_the_week(
    rita: Api, db: Session, personas: Personas
) -> None:
    week_goal = {"kind": "revenue", "amount": "5000", "period": "week", "start_on": "2025-03-05"}
    rita.post("/goals", week_goal)
    rita.post("/goals", {**week_goal, "period": "quarter", "amount": "900000"})
    card = rita.get("/scorecard", week="2025-W10").json()
    assert card["goal_name"] == "week of 3 Mar 2025 revenue goal"  # the most specific goal
    assert line(card, "sales")["target"] == 5000
    # No deal has a value yet, so the deal size is unknown and the funnel stops there.
    assert line(card, "conversations")["target"] is None
    assert "lacks a rate the plan needs" in card["target_source"]

    History(db, personas.rita).deal(1_000, "qualified")  # an average deal of 1,000
    db.commit()
    card = rita.get("/scorecard", week="2025-W10").json()
    # 5 sales / 25% = 20 proposals / 50% = 40 meetings / 20% = 200 conversations, in 1 week
    assert line(card, "base_moves")["target"] == 40 + 20
    assert line(card, "conversations")["target"] == 200
    assert card["target_source"].startswith("Targets follow your behaviour plan for the week")


def test_targets_set_by_hand_win_line_by_line_until_cleared(rita: Api) -> None:
    week_goal = {"kind": "revenue", "amount": "5000", "period": "week", "start_on": "2025-03-05"}
    rita.post("/goals", week_goal)
    saved = rita.put("/scorecard/targets/2025-W10", {"conversations": 12, "sales": "4200.50"})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {
        "week": "2025-W10",
        "by_hand": True,
        "sales": "4200.50",
        "base_moves": None,
        "conversations": 12,
    }
    card = rita.get("/scorecard", week="2025-W10").json()
    assert (line(card, "sales")["target"], line(card, "conversations")["target"]) == (4200.5, 12)
    assert "set by hand" in card["target_source"]
    cleared = rita.put("/scorecard/targets/2025-W10", {"sales": None, "conversations": None})
    assert cleared.json()["by_hand"] is False
    assert line(rita.get("/scorecard", week="2025-W10").json(), "sales")["target"] == 5000


def test_a_units_week_takes_whole_units_by_hand(rita: Api) -> None:
    rita.post(
        "/goals", {"kind": "units", "amount": "8", "period": "week", "start_on": "2025-03-05"}
    )
    assert_error(rita.put("/scorecard/targets/2025-W10", {"sales": "2.5"}), 422, "sales")
    assert rita.put("/scorecard/targets/2025-W10", {"sales": "3"}).json()["sales"] == "3"
    card = rita.get("/scorecard", week="2025-W10").json()
    assert (card["sales_kind"], line(card, "sales")["target"]) == ("units", 3)


def test_without_a_goal_or_hand_targets_no_line_says_yes_or_no(rita: Api) -> None:
    card = rita.get("/scorecard", week="2025-W10").json()
    assert [item["met"] for item in card["lines"]] == [None, None, None]
    assert card["all_met"] is None
    assert card["target_source"].startswith("No goal covers this week")


@pytest.mark.parametrize("week", ["2025-W60", "2025W10", "next week", "0000-W01"])
def test_a_bad_week_is_a_clear_422(rita: Api, week: str) -> None:
    assert_error(rita.get("/scorecard", week=week), 422, "week")
    assert_error(rita.get("/scorecard/trend", week=week), 422, "week")
    assert_error(rita.put(f"/scorecard/targets/{week}", {"sales": "1"}), 422, "week")


def test_bad_hand_targets_are_refused(rita: Api) -> None:
    assert_error(rita.put("/scorecard/targets/2025-W10", {"conversations": -1}), 422)
    assert_error(rita.put("/scorecard/targets/2025-W10", {"sales": "1.234"}), 422)
    assert rita.get("/scorecard/targets/2025-W10").json()["by_hand"] is False


def test_the_trend_is_the_twelve_weeks_ending_with_the_week_oldest_first(rita: Api) -> None:
    trend = rita.get("/scorecard/trend", week="2025-W10").json()
    labels = [card["week"]["label"] for card in trend]
    assert labels == ["2024-W51", "2024-W52"] + [f"2025-W{n:02d}" for n in range(1, 11)]
    assert len(rita.get("/scorecard/trend", week="2025-W10", weeks=3).json()) == 3
    assert_error(rita.get("/scorecard/trend", weeks=53), 422, "query.weeks")


def test_this_week_is_still_running(rita: Api) -> None:
    assert rita.get("/scorecard").json()["in_progress"] is True
    assert rita.get("/scorecard", week="2025-W10").json()["in_progress"] is False


def test_a_rep_never_sees_another_reps_numbers(
    rita: Api, ben: Api, db: Session, personas: Personas
) -> None:
    History(db, personas.rita).interaction(utc(2025, 3, 4, 10))
    db.commit()
    assert ben.get("/scorecard", week="2025-W10").json()["counts"]["connected_conversations"] == 0
    assert_error(ben.get("/scorecard", owner_id=personas.rita.id), 404)
    assert_error(ben.get("/scorecard/trend", owner_id=personas.rita.id), 404)
    assert_error(ben.get("/behaviour-plan", owner_id=personas.rita.id), 404)


def test_a_coach_reads_only_the_reps_they_coach(
    rita: Api, cora: Api, db: Session, personas: Personas
) -> None:
    History(db, personas.rita).interaction(utc(2025, 3, 4, 10))
    db.commit()
    card = cora.get("/scorecard", week="2025-W10", owner_id=personas.rita.id).json()
    assert card["counts"]["connected_conversations"] == 1
    assert cora.get("/behaviour-plan", owner_id=personas.rita.id).status_code == 200
    assert_error(cora.get("/scorecard", owner_id=personas.ben.id), 404)
    assert_error(cora.get("/scorecard/trend", owner_id=personas.ben.id), 404)
    assert_error(cora.get("/behaviour-plan", owner_id=personas.ben.id), 404)


def test_the_trend_charts_are_scriptless_svg_with_their_own_policy(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    response = client.get("/scorecard/charts/conversations.svg?week=2025-W10")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    svg = response.text
    assert '<title id="chart-title">Connected conversations per week against target</title>' in svg
    assert '<desc id="chart-desc">' in svg and "week of 3 Mar: 0 against no target" in svg
    assert "<script" not in svg
    assert client.get("/scorecard/charts/nonsense.svg").status_code == 404
    assert client.get(f"/scorecard/charts/sales.svg?owner_id={personas.ben.id}").status_code == 404
