from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.store.models import Account
from support import Api, assert_error


def test_accounts_are_created_searched_updated_and_archived(rita: Api) -> None:
    created = rita.post("/accounts", {"name": "Harbor Dental", "industry": "Healthcare"})
    assert created.status_code == 201
    account = created.json()
    rita.post("/accounts", {"name": "Metro Print"})
    assert [a["name"] for a in rita.get("/accounts", q="harb").json()["items"]] == ["Harbor Dental"]
    updated = rita.put(
        f"/accounts/{account['id']}", {"name": "Harbor Dental Group", "website": "harbor.example"}
    )
    assert (updated.json()["name"], updated.json()["website"]) == (
        "Harbor Dental Group",
        "harbor.example",
    )
    assert rita.post(f"/accounts/{account['id']}/archive").json()["archived_at"]
    assert rita.get("/accounts").json()["total"] == 1
    assert rita.get("/accounts", archived=True).json()["total"] == 2
    assert rita.post(f"/accounts/{account['id']}/unarchive").json()["archived_at"] is None


def test_an_account_search_ignores_case_and_accents_and_follows_a_rename(rita: Api) -> None:
    account = rita.post("/accounts", {"name": "MÜLLER Bäckerei GmbH"}).json()
    rita.post("/accounts", {"name": "Metro Print"})
    for query in ("muller", "Müller bäck", "BACKEREI"):
        names = [a["name"] for a in rita.get("/accounts", q=query).json()["items"]]
        assert names == ["MÜLLER Bäckerei GmbH"], query
    rita.put(f"/accounts/{account['id']}", {"name": "Schmidt & Söhne"})
    assert rita.get("/accounts", q="muller").json()["total"] == 0
    assert rita.get("/accounts", q="sohne").json()["total"] == 1


def test_bad_accounts_are_refused_and_nothing_is_written(rita: Api, db: Session) -> None:
    assert_error(rita.post("/accounts", {"name": ""}), 422, "name")
    assert_error(rita.post("/accounts", {"name": "x" * 201}), 422, "name")
    assert_error(rita.post("/accounts", {"name": "Ok", "owner_id": 2}), 422, "owner_id")
    assert db.scalar(select(func.count(Account.id))) == 0
    assert_error(rita.get("/accounts/4242"), 404)
