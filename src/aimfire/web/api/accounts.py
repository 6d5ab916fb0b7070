"""Accounts API (organisations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aimfire.services import accounts
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.web.api.schemas import ERRORS, AccountOut, PageOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=ERRORS)


@router.get("", response_model=PageOut[AccountOut])
def list_accounts(
    db: DbSession,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=200, description="Part of the account name")] = "",
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id; default: your own book")
    ] = None,
    archived: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> PageOut[AccountOut]:
    results = accounts.search_accounts(
        db,
        actor,
        query=q,
        owner_id=owner_id,
        include_archived=archived,
        page=page,
        per_page=per_page,
    )
    return PageOut[AccountOut].of(results, AccountOut.model_validate)


@router.post("", response_model=AccountOut, status_code=201)
def create_account(db: DbSession, actor: ApiActor, data: accounts.AccountInput) -> AccountOut:
    account = accounts.create_account(db, actor, data)
    db.commit()
    return AccountOut.model_validate(account)


@router.get("/{account_id}", response_model=AccountOut)
def get_account(db: DbSession, actor: ApiActor, account_id: int) -> AccountOut:
    return AccountOut.model_validate(accounts.get_account(db, actor, account_id))


@router.put("/{account_id}", response_model=AccountOut)
def update_account(
    db: DbSession, actor: ApiActor, account_id: int, data: accounts.AccountInput
) -> AccountOut:
    account = accounts.update_account(db, actor, account_id, data)
    db.commit()
    return AccountOut.model_validate(account)


@router.post("/{account_id}/archive", response_model=AccountOut)
def archive_account(db: DbSession, actor: ApiActor, account_id: int) -> AccountOut:
    account = accounts.set_account_archived(db, actor, account_id, True)
    db.commit()
    return AccountOut.model_validate(account)


@router.post("/{account_id}/unarchive", response_model=AccountOut)
def unarchive_account(db: DbSession, actor: ApiActor, account_id: int) -> AccountOut:
    account = accounts.set_account_archived(db, actor, account_id, False)
    db.commit()
    return AccountOut.model_validate(account)
