"""API tokens of the caller's tenant (admin only): create, list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from asr_service.api.deps import DB_INT_MAX, AdminDep, SessionDep
from asr_service.api.schemas import TokenCreate, TokenCreated, TokenOut
from asr_service.storage import repository as repo

router = APIRouter(prefix="/api/v1/tokens", tags=["administration"])


@router.post(
    "",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a token for this tenant (the secret is shown once)",
)
def create_token(body: TokenCreate, session: SessionDep, who: AdminDep) -> TokenCreated:
    record, secret = repo.create_api_token(
        session, who.tenant_id, body.role, name=body.name, expires_at=body.expires_at
    )
    repo.audit(
        session,
        "token.created",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=f"token:{record.id}",
        detail={"role": body.role, "name": body.name},
    )
    return TokenCreated(**TokenOut.of(record).model_dump(), token=secret)


@router.get("", response_model=list[TokenOut], summary="This tenant's tokens (no secrets)")
def list_tokens(session: SessionDep, who: AdminDep) -> list[TokenOut]:
    return [TokenOut.of(t) for t in repo.list_api_tokens(session, who.tenant_id)]


@router.delete(
    "/{token_id}",
    response_model=TokenOut,
    summary="Revoke a token",
    responses={404: {"description": "Unknown token, or a token of another tenant"}},
)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=DB_INT_MAX)], session: SessionDep, who: AdminDep
) -> TokenOut:
    try:
        record = repo.revoke_api_token(session, who.tenant_id, token_id)
    except repo.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Jeton introuvable.") from None
    repo.audit(
        session,
        "token.revoked",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=f"token:{token_id}",
    )
    return TokenOut.of(record)
