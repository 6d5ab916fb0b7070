"""Deal health through the API and the service: flags, diagnoses, thresholds, isolation, and
the queries it costs."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.interactions import local_today
from aimfire.services import health, today
from aimfire.services.access import actor_for
from aimfire.store.models import Deal, Interaction, User
from health_support import NOW, contact, deal, interaction, promise, stage
from support import Api, Personas, assert_error, counting


def rules_of(body: dict[str, object]) -> list[str]:
    return [flag["rule"] for flag in body["flags"]]  # type: ignore[index, union-attr]


def test_a_reps_flagged_deals_come_with_reason_question_and_a_plan_link(
    rita: Api, personas: Personas, db: Session
) -> None:
    stale = deal(db, personas.rita, title="Whitfield: season tickets", days_in_stage=30)
    fine = deal(db, personas.rita, title="Healthy deal")
    interaction(db, fine, when=NOW + timedelta(days=1))
    db.commit()
    body = rita.get("/health").json()["items"]
    assert [d["deal_id"] for d in body] == [stale.id]
    flags = {f["rule"]: f for f in body[0]["flags"]}
    assert set(flags) == {"no_next_step", "too_long_in_stage"}
    too_long = flags["too_long_in_stage"]
    assert "for 30 days" in too_long["reason"] and too_long["question"].endswith("?")
    assert too_long["plan_url"].startswith(f"/interactions/new?deal_id={stale.id}&contact_id=")
    assert "reason=re_engage_stalled" in too_long["plan_url"]
    assert rita.get(f"/deals/{fine.id}/health").json()["flags"] == []


def test_planning_an_interaction_clears_the_no_next_step_flag(
    rita: Api, personas: Personas, db: Session
) -> None:
    quiet = deal(db, personas.rita)
    db.commit()
    assert rules_of(rita.get(f"/deals/{quiet.id}/health").json()) == ["no_next_step"]
    diagnoses = rita.get("/health/diagnoses").json()["items"]
    assert [d["deal_id"] for d in diagnoses] == [quiet.id]
    assert diagnoses[0]["flag"]["objective"].startswith("Learn")
    planned = rita.post(
        "/interactions",
        {
            "contact_id": quiet.contact_id,
            "deal_id": quiet.id,
            "reason": "re_engage_stalled",
            "channel": "phone",
            "objective": diagnoses[0]["flag"]["objective"],
            "scheduled_at": (NOW + timedelta(days=1)).isoformat(),
        },
    )
    assert planned.status_code == 201, planned.text
    assert rules_of(rita.get(f"/deals/{quiet.id}/health").json()) == []
    assert rita.get("/health/diagnoses").json()["items"] == []


def test_today_suggests_the_most_urgent_diagnoses_and_counts_the_rest(
    rita: Api, personas: Personas, db: Session
) -> None:
    quiet = [deal(db, personas.rita, title=f"Quiet {n}") for n in range(today.TODAY_DIAGNOSES)]
    biggest = deal(db, personas.rita, title="The biggest quiet deal", value=50_000)
    db.commit()
    body = rita.get("/today").json()
    suggested = [s["deal_id"] for s in body["suggestions"] if s["kind"] == "diagnosis"]
    assert len(suggested) == today.TODAY_DIAGNOSES and suggested[0] == biggest.id
    assert body["more_diagnoses"] == 1
    listed = rita.get("/health/diagnoses").json()  # the full list, a page at a time
    assert (listed["total"], len(listed["items"])) == (len(quiet) + 1, len(quiet) + 1)
    assert listed["items"][0]["deal_id"] == biggest.id
    second = rita.get("/health/diagnoses", page=2, per_page=1).json()
    assert [d["deal_id"] for d in second["items"]] == [listed["items"][1]["deal_id"]]
    assert (second["total"], second["pages"]) == (len(quiet) + 1, len(quiet) + 1)
    flagged = rita.get("/health", per_page=4).json()
    assert (flagged["total"], flagged["pages"], len(flagged["items"])) == (11, 3, 4)


def test_a_flagged_deal_with_nobody_to_call_is_on_the_health_list_but_not_suggested(
    rita: Api, personas: Personas, db: Session
) -> None:
    nobody = deal(db, personas.rita, title="Contact since deleted")
    nobody.contact_id = None
    db.commit()
    assert [d["deal_id"] for d in rita.get("/health").json()["items"]] == [nobody.id]
    assert rita.get("/health/diagnoses").json()["items"] == []
    body = rita.get("/today").json()
    assert [s for s in body["suggestions"] if s["kind"] == "diagnosis"] == []
    assert body["more_diagnoses"] == 0


def test_three_unanswered_attempts_since_the_last_conversation_stall_a_deal(
    rita: Api, personas: Personas, db: Session
) -> None:
    stalled = deal(db, personas.rita)
    interaction(db, stalled, when=NOW + timedelta(days=2))  # something is planned
    interaction(db, stalled, when=NOW - timedelta(days=6), status="done", reached="connected")
    for days, reached in ((5, "voicemail"), (4, "no_answer")):
        interaction(db, stalled, when=NOW - timedelta(days=days), status="done", reached=reached)
    db.commit()
    assert rules_of(rita.get(f"/deals/{stalled.id}/health").json()) == []
    interaction(db, stalled, when=NOW - timedelta(days=1), status="done", reached="bounced")
    db.commit()
    body = rita.get(f"/deals/{stalled.id}/health").json()
    assert rules_of(body) == ["stalled"]
    assert "3 attempts" in body["flags"][0]["reason"]
    # The prospect answers: the count starts again from that conversation.
    interaction(db, stalled, when=NOW - timedelta(hours=1), status="done", reached="connected")
    db.commit()
    assert rules_of(rita.get(f"/deals/{stalled.id}/health").json()) == []


def test_a_proposal_follow_up_must_be_a_meeting_on_or_after_the_proposal(
    rita: Api, personas: Personas, db: Session
) -> None:
    today = local_today(NOW, "UTC")
    sent = deal(
        db,
        personas.rita,
        stage_key="proposal",
        decision_maker=True,
        decision_maker_met=True,
        proposal_sent_on=today - timedelta(days=3),
    )
    interaction(db, sent, when=NOW + timedelta(days=2))  # a phone call is not the follow-up
    interaction(db, sent, when=NOW - timedelta(days=5), channel="meeting", status="done",
                reached="connected")  # fmt: skip
    db.commit()
    flagged = rita.get(f"/deals/{sent.id}/health").json()
    assert rules_of(flagged) == ["proposal_without_follow_up"]
    assert "reason=proposal_follow_up&channel=meeting&objective=" in flagged["flags"][0]["plan_url"]
    interaction(db, sent, when=NOW + timedelta(days=2), channel="video")
    db.commit()
    assert rules_of(rita.get(f"/deals/{sent.id}/health").json()) == []


def test_the_decision_maker_must_be_named_and_met_by_the_proposal_stage(
    rita: Api, personas: Personas, db: Session
) -> None:
    unnamed = deal(db, personas.rita, stage_key="proposal")
    named = deal(db, personas.rita, stage_key="decision", decision_maker=True)
    early = deal(db, personas.rita, stage_key="qualified")
    for each in (unnamed, named, early):
        interaction(db, each, when=NOW + timedelta(days=1))
    db.commit()
    assert rules_of(rita.get(f"/deals/{unnamed.id}/health").json()) == ["decision_maker_unknown"]
    not_met = rita.get(f"/deals/{named.id}/health").json()
    assert rules_of(not_met) == ["decision_maker_not_met"]
    assert not_met["flags"][0]["contact_id"] == named.contact_id
    assert rules_of(rita.get(f"/deals/{early.id}/health").json()) == []


def test_an_overdue_promise_is_judged_on_the_reps_calendar(
    rita: Api, personas: Personas, db: Session
) -> None:
    # Pago Pago is eleven hours behind UTC: its today is never later than UTC's.
    zone = "Pacific/Pago_Pago"
    db.get(User, personas.rita.id).time_zone = zone  # type: ignore[union-attr]
    local = local_today(NOW, zone)
    due_today = deal(db, personas.rita, title="Due today where Rita is")
    late = deal(db, personas.rita, title="Due yesterday where Rita is")
    for each, due in ((due_today, local), (late, local - timedelta(days=1))):
        interaction(db, each, when=NOW + timedelta(days=1))
        promise(db, each, due)
    promise(db, due_today, local - timedelta(days=9), party="rep")  # rep promises do not count
    promise(db, due_today, local - timedelta(days=9), status="kept")
    db.commit()
    assert rules_of(rita.get(f"/deals/{due_today.id}/health").json()) == []
    flagged = rita.get(f"/deals/{late.id}/health").json()
    assert rules_of(flagged) == ["promise_overdue"]
    assert "Talk to my wife" in flagged["flags"][0]["reason"]
    assert "reason=commitment_follow_up" in flagged["flags"][0]["plan_url"]
    # Today already suggests following up the promise itself, so no diagnosis is added.
    assert rita.get("/health/diagnoses").json()["items"] == []


def test_days_in_stage_follow_the_stages_own_limit(
    rita: Api, ada: Api, personas: Personas, db: Session
) -> None:
    slow = deal(db, personas.rita, days_in_stage=5)
    interaction(db, slow, when=NOW + timedelta(days=1))
    db.commit()
    assert rules_of(rita.get(f"/deals/{slow.id}/health").json()) == []
    needs = stage(db, "needs_analysed")
    defaults = {s["key"]: s for s in rita.get("/pipeline/stages/health").json()}
    assert defaults["needs_analysed"]["max_days_in_stage"] == 21
    assert defaults["needs_analysed"]["own"]["max_days_in_stage"] is None
    assert "won" not in defaults
    limit = {"max_days_in_stage": 4}
    assert_error(rita.put(f"/pipeline/stages/{needs.id}/health", limit), 403)
    assert_error(
        ada.put(f"/pipeline/stages/{needs.id}/health", {"stall_days": 0}), 422, "stall_days"
    )
    saved = ada.put(f"/pipeline/stages/{needs.id}/health", limit)
    assert saved.status_code == 200, saved.text
    assert saved.json()["max_days_in_stage"] == 4 and saved.json()["stall_attempts"] == 3
    assert rules_of(rita.get(f"/deals/{slow.id}/health").json()) == ["too_long_in_stage"]
    ada.put(f"/pipeline/stages/{needs.id}/health", {})
    assert rules_of(rita.get(f"/deals/{slow.id}/health").json()) == []


def test_won_and_lost_deals_have_no_health_flags(
    rita: Api, personas: Personas, db: Session
) -> None:
    closed = deal(db, personas.rita, stage_key="lost", days_in_stage=300)
    db.commit()
    assert rita.get(f"/deals/{closed.id}/health").json()["flags"] == []
    assert rita.get("/health").json()["items"] == []


# --- who sees what ------------------------------------------------------------------------


def test_another_reps_deal_health_is_not_found(
    rita: Api, ben: Api, personas: Personas, db: Session
) -> None:
    ritas = deal(db, personas.rita)
    db.commit()
    assert_error(ben.get(f"/deals/{ritas.id}/health"), 404)
    assert_error(ben.get("/health", owner_id=personas.rita.id), 404)
    assert ben.get("/health").json()["items"] == []


def test_a_coach_reads_the_health_of_the_reps_they_coach_only(
    cora: Api, personas: Personas, db: Session
) -> None:
    ritas = deal(db, personas.rita)
    bens = deal(db, personas.ben)
    db.commit()
    assert [
        d["deal_id"] for d in cora.get("/health", owner_id=personas.rita.id).json()["items"]
    ] == [ritas.id]
    assert rules_of(cora.get(f"/deals/{ritas.id}/health").json()) == ["no_next_step"]
    assert_error(cora.get("/health", owner_id=personas.ben.id), 404)
    assert_error(cora.get(f"/deals/{bens.id}/health"), 404)


# --- the service: cost and the decision maker ---------------------------------------------


def add_busy_deals(db: Session, owner: User, count: int) -> None:
    for number in range(count):
        each = deal(db, owner, stage_key="proposal", title=f"Deal {number}", days_in_stage=number,
                    decision_maker=number % 2 == 0, proposal_sent_on=NOW.date())  # fmt: skip
        interaction(db, each, when=NOW - timedelta(days=3), status="done", reached="no_answer")
        interaction(db, each, when=NOW + timedelta(days=1), channel="meeting")
        promise(db, each, NOW.date() - timedelta(days=2))


def test_a_books_flags_cost_the_same_few_queries_however_many_deals_it_holds(
    db: Session, personas: Personas
) -> None:
    rita = db.get(User, personas.rita.id)
    assert rita is not None
    actor = actor_for(db, rita)
    add_busy_deals(db, rita, 2)
    db.commit()
    db.expire_all()
    with counting(db) as few:
        assert len(health.flagged_deals_page(db, actor).items) == 2
    add_busy_deals(db, rita, 10)
    db.commit()
    db.expire_all()
    with counting(db) as many:
        assert len(health.flagged_deals_page(db, actor).items) == 12
    # The user; the flagged deals counted, then one page of their ids; the page's facts
    # (deals, stages, decision makers, promises); its deals.
    selects = [s for s in many if s.startswith("SELECT")]
    assert len(many) == len(few) and len(selects) <= 8, many


def test_a_connected_meeting_with_the_decision_maker_marks_them_met(
    db: Session, personas: Personas
) -> None:
    rita = db.get(User, personas.rita.id)
    assert rita is not None
    boss = contact(db, rita, "Ana")
    helper = contact(db, rita, "Hal")
    target = deal(db, rita, stage_key="proposal", person=boss, decision_maker=True)
    other = deal(db, rita, person=helper)

    def logged(channel: str, reached: str, person: int, on: Deal = target) -> Interaction:
        return interaction(db, on, when=NOW, channel=channel, status="done", reached=reached,
                           person_id=person)  # fmt: skip

    assert not health.record_decision_maker_met(db, logged("phone", "connected", boss.id))
    assert not health.record_decision_maker_met(db, logged("meeting", "no_answer", boss.id))
    assert not health.record_decision_maker_met(db, logged("video", "connected", helper.id))
    assert not health.record_decision_maker_met(db, logged("meeting", "connected", boss.id, other))
    planned = interaction(db, target, when=NOW, channel="meeting", person_id=boss.id)
    assert not health.record_decision_maker_met(db, planned)
    assert not db.get(Deal, target.id).decision_maker_met  # type: ignore[union-attr]
    assert health.record_decision_maker_met(db, logged("video", "connected", boss.id))
    assert db.scalar(select(Deal.decision_maker_met).where(Deal.id == target.id)) is True
    assert db.scalar(select(Deal.decision_maker_met).where(Deal.id == other.id)) is False


def test_the_books_today_is_the_owners_not_the_coachs(db: Session, personas: Personas) -> None:
    rita = db.get(User, personas.rita.id)
    cora = db.get(User, personas.cora.id)
    assert rita is not None and cora is not None
    rita.time_zone, cora.time_zone = "Pacific/Pago_Pago", "Pacific/Kiritimati"
    local = NOW.astimezone(ZoneInfo(rita.time_zone)).date()
    due = deal(db, rita)
    interaction(db, due, when=NOW + timedelta(days=1))
    promise(db, due, local)  # due today for Rita: not overdue, whatever day it is for Cora
    db.commit()
    assert health.flagged_deals_page(db, actor_for(db, cora), rita.id).items == []
