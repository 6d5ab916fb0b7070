"""Deal health and post-mortems through the pages: flags, the proposal guard, closing, reports."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.services.health import HEALTH_PER_PAGE
from aimfire.services.today import TODAY_DIAGNOSES
from aimfire.store.models import Account, Deal, DealFlagDays, Interaction, PostMortem
from health_support import NOW, closed_deal, contact, deal, interaction, promise, stage
from support import Personas, counting, log_in, post_form

SOON = (NOW + timedelta(days=3)).strftime("%Y-%m-%dT10:00")


def test_the_deal_page_shows_each_flag_with_its_question_and_a_plan_link(
    client: TestClient, personas: Personas, db: Session
) -> None:
    stale = deal(db, personas.rita, days_in_stage=40)
    db.commit()
    log_in(client, personas.rita)
    page = unescape(client.get(f"/deals/{stale.id}").text)
    assert "Deal health: 2 flags" in page
    assert "In Needs analysed for 40 days; the limit for this stage is 21." in page
    assert "What has to happen next on their side, and by when?" in page
    assert (
        f'href="/interactions/new?deal_id={stale.id}&contact_id={stale.contact_id}'
        "&reason=re_engage_stalled&objective=Learn+what+has+to+happen+next" in page
    )
    assert "Plan a diagnosis call" in page


def test_today_suggests_ten_diagnoses_and_links_to_the_rest(
    client: TestClient, personas: Personas, db: Session
) -> None:
    for n in range(TODAY_DIAGNOSES + 2):
        deal(db, personas.rita, title=f"Quiet deal {n}")
    deal(db, personas.ben, title="Ben's quiet deal")
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/today").text
    assert page.count("Plan this") == TODAY_DIAGNOSES
    assert '<a href="/health">2 more flagged deals with nothing planned' in page
    assert "Ben&#39;s quiet deal" not in page and "Ben's quiet deal" not in page


def test_today_costs_the_same_queries_for_two_plans_or_eight(
    client: TestClient, personas: Personas, db: Session
) -> None:
    """Each plan and each overdue promise names its deal and contact (with a company): read
    together, never one deal or account at a time."""

    def add_plans(count: int) -> None:
        for n in range(count):
            company = Account(owner_id=personas.rita.id, name=f"Company {n}")
            db.add(company)
            db.flush()
            person = contact(db, personas.rita, f"Person {n}", account_id=company.id)
            on = deal(db, personas.rita, title=f"Planned deal {n}", person=person)
            interaction(db, on, when=NOW + timedelta(minutes=5))
            promise(db, on, NOW.date() - timedelta(days=2))
        db.commit()
        db.expire_all()

    log_in(client, personas.rita)
    add_plans(2)
    with counting(db) as few:
        page = client.get("/today").text
    assert "Planned deal 1" in page and "Talk to my wife" in page
    add_plans(6)
    with counting(db) as many:
        page = client.get("/today").text
    assert page.count("Planned deal") == 2 * 8  # each plan and each promise names its deal
    assert len(many) == len(few), many


def test_a_coach_sees_the_flags_but_plans_nothing_for_the_rep(
    client: TestClient, personas: Personas, db: Session
) -> None:
    ritas = deal(db, personas.rita)
    db.commit()
    log_in(client, personas.cora)
    page = client.get(f"/deals/{ritas.id}").text
    assert "No next step" in page and "Plan a diagnosis call" not in page
    assert "Mark the proposal sent" not in page
    listed = client.get(f"/health?owner_id={personas.rita.id}").text
    assert "Season tickets" in listed and "Plan a diagnosis call" not in listed
    assert client.get(f"/health?owner_id={personas.ben.id}").status_code == 404
    assert client.get(f"/deals/{ritas.id}/proposal").status_code == 403
    assert client.get(f"/deals/{ritas.id}/close").status_code == 403


def test_the_board_shows_health_badges_on_the_cards(
    client: TestClient, personas: Personas, db: Session
) -> None:
    flagged = deal(db, personas.rita, title="Quiet deal")
    fine = deal(db, personas.rita, title="Busy deal")
    interaction(db, fine, when=NOW + timedelta(days=1))
    db.commit()
    log_in(client, personas.rita)
    board = client.get("/deals/board").text
    cards = {card.split('"')[0]: card for card in board.split('<li class="card" data-deal="')[1:]}
    assert 'class="badge badge-no_next_step"' in cards[str(flagged.id)]
    assert "badge-" not in cards[str(fine.id)]


def test_the_health_page_lists_the_flagged_deals_with_one_plan_each(
    client: TestClient, personas: Personas, db: Session
) -> None:
    deal(db, personas.rita, title="Stalled one", days_in_stage=50)
    healthy = deal(db, personas.rita, title="Healthy one")
    interaction(db, healthy, when=NOW + timedelta(days=1))
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/health").text
    assert "Stalled one" in page and "Healthy one" not in page
    assert page.count("Plan a diagnosis call") == 1


def test_the_health_page_shows_the_most_urgent_fifty_then_the_next_page(
    client: TestClient, personas: Personas, db: Session
) -> None:
    for n in range(HEALTH_PER_PAGE + 3):
        deal(db, personas.rita, title=f"Quiet deal {n:02d}", value=1000 + n)
    db.commit()
    log_in(client, personas.rita)
    first = client.get("/health").text
    assert f"{HEALTH_PER_PAGE + 3} open deals are flagged" in first
    assert first.count("Plan a diagnosis call") == HEALTH_PER_PAGE
    assert "Quiet deal 52" in first and "Quiet deal 02" not in first  # the biggest first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get("/health?page=2").text
    assert second.count("Plan a diagnosis call") == 3 and "Quiet deal 00" in second
    assert '<ol class="health-list" start="51">' in second
    assert client.get("/health?page=99").text.count("Plan a diagnosis call") == 3


def test_marking_the_proposal_sent_on_the_deal_page_books_the_meeting(
    client: TestClient, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="qualified", decision_maker=True)
    db.commit()
    log_in(client, personas.rita)
    page = client.get(f"/deals/{target.id}").text
    assert f'action="/deals/{target.id}/proposal"' in page
    form = {
        "sent_on": NOW.date().isoformat(),
        "follow_up_at": SOON,
        "follow_up_channel": "meeting",
        "follow_up_objective": "Learn what they need to decide, and by when",
        "follow_up_contact_id": str(target.contact_id),
        "action": "book",
    }
    response = post_form(client, f"/deals/{target.id}/proposal", form, page=f"/deals/{target.id}")
    assert response.status_code == 303, response.text
    shown = client.get(response.headers["location"]).text
    assert "follow-up meeting booked" in shown
    db.expire_all()
    booked = db.scalar(select(Interaction).where(Interaction.deal_id == target.id))
    assert booked is not None and booked.reason == "proposal_follow_up"
    assert db.get(Deal, target.id).stage_id == stage(db, "proposal").id  # type: ignore[union-attr]
    assert "No follow-up meeting" not in shown


def test_skipping_the_meeting_is_allowed_and_flags_the_deal(
    client: TestClient, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="proposal")
    db.commit()
    log_in(client, personas.rita)
    form = {"sent_on": NOW.date().isoformat(), "follow_up_at": "", "action": "skip"}
    response = post_form(client, f"/deals/{target.id}/proposal", form, page=f"/deals/{target.id}")
    assert response.status_code == 303
    shown = client.get(f"/deals/{target.id}").text
    assert "the deal stays flagged until one is booked" in shown
    assert "No follow-up meeting" in shown


def test_booking_without_a_time_is_shown_again_and_nothing_is_saved(
    client: TestClient, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="qualified")
    db.commit()
    log_in(client, personas.rita)
    form = {"sent_on": NOW.date().isoformat(), "follow_up_at": "", "action": "book",
            "follow_up_objective": "Learn what they need"}  # fmt: skip
    response = post_form(client, f"/deals/{target.id}/proposal", form, page=f"/deals/{target.id}")
    assert response.status_code == 422
    assert "Mark sent without a meeting" in unescape(response.text)
    assert 'id="e-follow_up_at"' in response.text and "Learn what they need" in response.text
    past = {**form, "follow_up_at": (NOW - timedelta(days=1)).strftime("%Y-%m-%dT10:00")}
    refused = post_form(client, f"/deals/{target.id}/proposal", past, page=f"/deals/{target.id}")
    assert refused.status_code == 422 and "still to come" in refused.text
    db.expire_all()
    assert db.get(Deal, target.id).proposal_sent_on is None  # type: ignore[union-attr]
    assert db.scalar(select(func.count(Interaction.id))) == 0


def test_moving_a_deal_to_lost_asks_for_its_post_mortem(
    client: TestClient, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="proposal")
    lost = stage(db, "lost")
    db.commit()
    log_in(client, personas.rita)
    move = {"stage_id": str(lost.id), "back": "/deals/board"}
    moved = post_form(client, f"/deals/{target.id}/stage", move, page="/deals/board")
    assert moved.headers["location"] == f"/deals/{target.id}/close?outcome=lost"
    form_page = client.get(moved.headers["location"]).text
    assert "What did it teach you?" in form_page and 'value="lost" checked' in form_page
    assert "Never met the decision maker" in form_page
    empty = post_form(client, f"/deals/{target.id}/close", {"outcome": "lost"}, page="/deals/board")
    assert empty.status_code == 422 and "Choose at least one reason" in empty.text
    assert db.scalar(select(func.count(PostMortem.id))) == 0
    data = {"outcome": "lost", "reasons": ["bid_on_price", "motive_not_discovered"],
            "lesson": "It became a price fight."}  # fmt: skip
    saved = post_form(client, f"/deals/{target.id}/close", data, page="/deals/board")
    assert saved.status_code == 303
    page = client.get(f"/deals/{target.id}").text
    assert "It became a price fight." in page and "Went to a bid on price" in page
    # With its post-mortem written, moving it again goes back to the board.
    again = post_form(client, f"/deals/{target.id}/stage", move, page="/deals/board")
    assert again.headers["location"] == "/deals/board"


def test_closing_a_deal_from_its_page_as_won_moves_it_and_keeps_the_note(
    client: TestClient, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="decision")
    db.commit()
    log_in(client, personas.rita)
    assert f'href="/deals/{target.id}/close"' in client.get(f"/deals/{target.id}").text
    data = {"outcome": "won", "lesson": "Met the owner on site."}
    assert post_form(client, f"/deals/{target.id}/close", data).status_code == 303
    page = client.get(f"/deals/{target.id}").text
    assert "What worked" in page and "Met the owner on site." in page
    db.expire_all()
    assert db.get(Deal, target.id).stage.key == "won"  # type: ignore[union-attr]


def test_the_loss_report_page_shows_charts_tables_and_lessons(
    client: TestClient, personas: Personas, db: Session
) -> None:
    closed_deal(db, personas.rita, closed_at=NOW - timedelta(days=3), outcome="lost",
                reasons=["competitor"], lesson="They chose the concert venue.")  # fmt: skip
    closed_deal(db, personas.rita, closed_at=NOW - timedelta(days=2), outcome="won",
                decision_maker_met=True)  # fmt: skip
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/reports/losses").text
    assert 'src="data:image/svg+xml' in page and "Bar chart of loss reasons: Competitor 1" in page
    assert "They chose the concert venue." in page
    assert "Met the decision maker" in page and "50%" in page
    assert client.get("/reports/losses?start=2026-05-01&end=2026-04-01").status_code == 422
    log_in(client, personas.cora)
    team = client.get("/reports/losses?team=1").text
    assert "They chose the concert venue." in team and "Rita" in team


def test_only_an_admin_changes_the_limits_per_stage(
    client: TestClient, personas: Personas, db: Session
) -> None:
    proposal = stage(db, "proposal")
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/health/thresholds").text
    assert "An admin sets these." in page and "<input" not in page.split("<table")[1]
    refused = post_form(client, f"/health/thresholds/{proposal.id}", {"max_days_in_stage": "7"},
                        page="/health/thresholds")  # fmt: skip
    assert refused.status_code == 403
    log_in(client, personas.ada)
    bad = post_form(client, f"/health/thresholds/{proposal.id}", {"max_days_in_stage": "0"},
                    page="/health/thresholds")  # fmt: skip
    assert bad.status_code == 422
    ok = post_form(client, f"/health/thresholds/{proposal.id}",
                   {"max_days_in_stage": "7", "stall_attempts": "", "stall_days": "5"},
                   page="/health/thresholds")  # fmt: skip
    assert ok.status_code == 303
    db.expire_all()
    saved = db.get(type(proposal), proposal.id)
    assert saved is not None
    assert (saved.max_days_in_stage, saved.stall_attempts, saved.stall_days) == (7, None, 5)


def test_a_deal_whose_stored_days_are_out_of_step_is_left_off_the_health_page(
    client: TestClient, personas: Personas, db: Session
) -> None:
    """The stored first days are kept on every write (tests/store); should one ever be out of
    step, the page still opens and shows only deals the rules flag when judged afresh."""
    flagged = deal(db, personas.rita, title="Quiet deal")
    healthy = deal(db, personas.rita, title="Busy deal")
    interaction(db, healthy, when=NOW + timedelta(days=1))  # a next step: no flag at all
    db.flush()
    db.execute(
        update(DealFlagDays)
        .where(DealFlagDays.deal_id == healthy.id)
        .values(no_next_step=date.min)  # as if nothing were planned
    )
    db.commit()
    log_in(client, personas.rita)
    response = client.get("/health")
    assert response.status_code == 200
    assert flagged.title in response.text and healthy.title not in response.text
