from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.services import deals
from aimfire.store.models import Deal
from support import Api, assert_error, counting


def stage_ids(api: Api) -> dict[str, int]:
    return {stage["key"]: stage["id"] for stage in api.get("/pipeline/stages").json()}


def new_deal(api: Api, **changes: object) -> dict[str, object]:
    contact = api.post("/contacts", {"first_name": "Dana", "role": "decision_maker"}).json()
    body = {"title": "Season tickets", "contact_id": contact["id"], "value": "2400", **changes}
    response = api.post("/deals", body)
    assert response.status_code == 201, response.text
    deal: dict[str, object] = response.json()
    return deal


def test_the_pipeline_has_the_default_stages_in_order(rita: Api) -> None:
    keys = [stage["key"] for stage in rita.get("/pipeline/stages").json()]
    assert keys == [
        "new", "qualified", "meeting_set", "needs_analysed", "proposal", "decision", "won", "lost",
    ]  # fmt: skip


def test_a_new_deal_starts_in_the_first_stage_with_its_contact_as_decision_maker(
    rita: Api,
) -> None:
    deal = new_deal(rita)
    assert deal["stage_name"] == "New"
    assert deal["value"] == "2400.00"
    assert deal["people"] == [{"contact_id": deal["contact_id"], "role": "decision_maker"}]
    assert deal["closed_at"] is None


def test_a_deal_needs_a_contact_or_an_account(rita: Api, db: Session) -> None:
    assert_error(rita.post("/deals", {"title": "Nobody's deal"}), 422, "contact_id")
    assert db.scalar(select(func.count(Deal.id))) == 0


def test_bad_deal_values_are_refused(rita: Api) -> None:
    contact = rita.post("/contacts", {"first_name": "Dana"}).json()
    for value in ("-1", "12.345", "lots", "1e13"):
        body = {"title": "x", "contact_id": contact["id"], "value": value}
        assert_error(rita.post("/deals", body), 422, "value")


def test_a_deal_cannot_use_another_reps_contact(rita: Api, ben: Api) -> None:
    bens = ben.post("/contacts", {"first_name": "Bea"}).json()
    assert_error(rita.post("/deals", {"title": "x", "contact_id": bens["id"]}), 422, "contact_id")


def test_moving_a_deal_records_when_it_entered_the_stage_and_closes_it_when_won(
    rita: Api,
) -> None:
    deal = new_deal(rita)
    stages = stage_ids(rita)
    moved = rita.post(f"/deals/{deal['id']}/stage", {"stage_id": stages["proposal"]}).json()
    assert moved["stage_name"] == "Proposal"
    assert moved["stage_entered_at"] > deal["stage_entered_at"]
    won = rita.post(f"/deals/{deal['id']}/stage", {"stage_id": stages["won"]}).json()
    assert won["closed_at"] is not None
    reopened = rita.post(f"/deals/{deal['id']}/stage", {"stage_id": stages["decision"]}).json()
    assert reopened["closed_at"] is None
    assert_error(rita.post(f"/deals/{deal['id']}/stage", {"stage_id": 9999}), 404)


def test_people_take_roles_on_a_deal(rita: Api) -> None:
    deal = new_deal(rita)
    boss = rita.post("/contacts", {"first_name": "Boss"}).json()
    body = {"contact_id": boss["id"], "role": "influencer"}
    people = rita.put(f"/deals/{deal['id']}/people", body).json()["people"]
    assert {"contact_id": boss["id"], "role": "influencer"} in people
    body["role"] = "gatekeeper"
    people = rita.put(f"/deals/{deal['id']}/people", body).json()["people"]
    assert {"contact_id": boss["id"], "role": "gatekeeper"} in people
    assert_error(rita.put(f"/deals/{deal['id']}/people", {**body, "role": "king"}), 422, "role")
    people = rita.delete(f"/deals/{deal['id']}/people/{boss['id']}").json()["people"]
    assert all(p["contact_id"] != boss["id"] for p in people)
    assert_error(rita.delete(f"/deals/{deal['id']}/people/{boss['id']}"), 404)


def test_the_board_groups_deals_by_stage_with_totals(rita: Api) -> None:
    stages = stage_ids(rita)
    new_deal(rita, value="100")
    new_deal(rita, value="250.50")
    new_deal(rita, value="1000", stage_id=stages["proposal"])
    board = {column["stage"]["key"]: column for column in rita.get("/pipeline/board").json()}
    assert (board["new"]["count"], board["new"]["value"]) == (2, "350.50")
    assert (board["proposal"]["count"], board["proposal"]["value"]) == (1, "1000.00")
    assert board["won"]["count"] == 0 and board["won"]["cards"] == []
    [card] = board["proposal"]["cards"]
    assert (card["value"], card["contact_name"]) == ("1000.00", "Dana")
    # Nothing planned, and at the proposal stage nobody has met Dana, who decides.
    assert card["flags"] == ["no_next_step", "decision_maker_not_met"]


def test_the_board_shows_each_stages_most_recently_moved_deals_first(
    rita: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deals, "BOARD_CARDS_PER_STAGE", 2)
    stages = stage_ids(rita)
    made = [new_deal(rita, title=f"Deal {n}") for n in range(3)]
    for deal in (made[1], made[0], made[2]):  # moved on, one after another
        rita.post(f"/deals/{deal['id']}/stage", {"stage_id": stages["qualified"]})
    new_deal(rita, title="Still new")
    board = {column["stage"]["key"]: column for column in rita.get("/pipeline/board").json()}
    assert [d["title"] for d in board["qualified"]["cards"]] == ["Deal 2", "Deal 0"]
    assert board["qualified"]["count"] == 3
    assert [d["title"] for d in board["new"]["cards"]] == ["Still new"]


def test_deals_can_be_searched_and_filtered_by_stage(rita: Api) -> None:
    stages = stage_ids(rita)
    new_deal(rita, title="Suite for client night")
    new_deal(rita, title="Group outing", stage_id=stages["qualified"])
    assert rita.get("/deals", q="suite").json()["total"] == 1
    only = rita.get("/deals", stage_id=stages["qualified"]).json()["items"]
    assert [d["title"] for d in only] == ["Group outing"]


def test_updating_a_deal_keeps_its_people(rita: Api) -> None:
    deal = new_deal(rita)
    body = {"title": "Season tickets, 4 seats", "contact_id": deal["contact_id"], "value": "4800"}
    updated = rita.put(f"/deals/{deal['id']}", body).json()
    assert (updated["title"], updated["value"]) == ("Season tickets, 4 seats", "4800.00")
    assert updated["people"] == deal["people"]


def test_listing_deals_and_the_board_cost_the_same_queries_for_two_deals_or_twelve(
    rita: Api, db: Session
) -> None:
    def queries() -> list[int]:
        counts = []
        for path in ("/deals", "/pipeline/board"):
            with counting(db) as statements:
                assert rita.get(path).status_code == 200
            counts.append(len(statements))
        return counts

    for _ in range(2):
        new_deal(rita)
    few = queries()
    for _ in range(10):
        new_deal(rita)
    assert queries() == few  # each deal's people come in one query, not one query a deal
