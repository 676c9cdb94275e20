"""The tenant's audit log (admin only): downloads, uploads, deletions, token changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from asr_service.api.deps import AdminDep, SessionDep
from asr_service.api.schemas import AuditOut
from asr_service.storage import repository as repo

router = APIRouter(prefix="/api/v1/audit", tags=["administration"])


@router.get("", response_model=list[AuditOut], summary="Recent audit entries, newest first")
def list_audit(
    session: SessionDep, who: AdminDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AuditOut]:
    return [
        AuditOut(at=e.created_at, actor=e.actor, action=e.action, target=e.target, detail=e.detail)
        for e in repo.list_audit(session, who.tenant_id, limit=limit)
    ]
