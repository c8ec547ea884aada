"""Diagnostics bundles: a terminal uploads one (signed), staff list and download them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from .. import diagnostics
from ..auth import Caller, caller, get_db
from ..errors import NotFound
from ..openapi_docs import ROW_ID_MAX, answers, binary, problems
from ..schemas.fleet import BundleListingOut, BundleStoredOut

router = APIRouter(prefix="/v1/terminals/diagnostics", tags=["terminals"])
# The bundle is the raw body (read for the signature), so FastAPI cannot describe it itself.
BUNDLE_BODY = {"requestBody": {"required": True, "content": {
    "application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("", status_code=201,  # its size is limited before it is read (body_limits.py)
             responses={**answers(BundleStoredOut, 201, "Kept"),
                        **answers(BundleStoredOut, 200, "The same bundle again: kept once")},
             openapi_extra=BUNDLE_BODY)
async def upload(request: Request, command_id: int | None = Query(None, ge=1, le=ROW_ID_MAX),
                 who: Caller = Depends(caller("terminal")), session: Session = Depends(get_db)):
    content = await request.body()  # already read (and size-checked) for the signature
    bundle, new = await run_in_threadpool(diagnostics.store, session, who.name, content, command_id)
    body = {"id": bundle.id, "size": bundle.size, "sha256": bundle.sha256}
    return body if new else JSONResponse(body, status_code=200)  # a retried upload: kept once


@router.get("", responses=answers(BundleListingOut))
def listing(terminal: str = "", who: Caller = Depends(caller("supervisor")), session: Session = Depends(get_db)):
    return {"bundles": diagnostics.listing(session, terminal)}


@router.get("/{bundle_id}", response_class=Response,
            responses={200: binary("application/zip", "The diagnostics bundle"), **problems(404)})
def download(bundle_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], who: Caller = Depends(caller("supervisor")),
             session: Session = Depends(get_db)):
    bundle = diagnostics.hand_out(session, bundle_id, who.actor)
    if bundle is None:
        raise NotFound("no such diagnostics bundle")
    return Response(bundle.content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{diagnostics.file_name(bundle)}"'})
