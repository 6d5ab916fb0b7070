"""The caller's own account: settings, password and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Response

from aimfire.services import auth, users
from aimfire.services.validation import Input
from aimfire.web.api.schemas import ERRORS, NewTokenOut, TokenOut, UserOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["me"], responses=ERRORS)


class NewToken(Input):
    name: str


@router.get("/me", response_model=UserOut)
def who_am_i(actor: ApiActor) -> UserOut:
    return UserOut.model_validate(actor.user)


@router.put("/me", response_model=UserOut)
def update_settings(db: DbSession, actor: ApiActor, data: users.UserSettings) -> UserOut:
    user = users.update_settings(db, actor, data)
    db.commit()
    return UserOut.model_validate(user)


@router.get("/me/selling-time", response_model=users.SellingTime)
def selling_time(actor: ApiActor) -> users.SellingTime:
    """Minutes per channel, working days and selling hours per week."""
    return users.selling_time_of(actor.user)


@router.put("/me/selling-time", response_model=users.SellingTime)
def set_selling_time(db: DbSession, actor: ApiActor, data: users.SellingTime) -> users.SellingTime:
    users.update_selling_time(db, actor, data)
    db.commit()
    return users.selling_time_of(actor.user)


@router.post("/me/password", status_code=204)
def change_password(db: DbSession, actor: ApiActor, data: users.PasswordChange) -> Response:
    """Change the password; every web session ends (API tokens keep working)."""
    users.change_password(db, actor, data)
    db.commit()
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(db: DbSession, actor: ApiActor) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in auth.list_api_tokens(db, actor)]


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
def create_token(db: DbSession, actor: ApiActor, data: NewToken) -> NewTokenOut:
    issued = auth.issue_api_token(db, actor, data.name)
    db.commit()
    return NewTokenOut.model_validate(
        {**TokenOut.model_validate(issued.token).model_dump(), "token": issued.secret}
    )


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(db: DbSession, actor: ApiActor, token_id: int) -> Response:
    auth.revoke_api_token(db, actor, token_id)
    db.commit()
    return Response(status_code=204)
