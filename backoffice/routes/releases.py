"""Kiosk releases: staff see them and roll them out by rings; terminals fetch the signed
manifest and the tarball (published with `kiosk-backoffice release publish`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from sqlalchemy.orm import Session

from .. import releases
from ..auth import Caller, caller, get_db
from ..errors import NotFound
from ..models import Release
from ..openapi_docs import answers, binary, problems
from ..schemas.bodies import RolloutIn
from ..schemas.releases import ReleaseListingOut, RolloutOut

router = APIRouter(prefix="/v1/releases", tags=["releases"])
Version = Annotated[str, Path(min_length=3, max_length=32, pattern=r"^\d{1,4}(\.\d{1,4}){1,3}$")]


@router.get("", responses=answers(ReleaseListingOut))
def listing(who: Caller = Depends(caller("supervisor")), session: Session = Depends(get_db)):
    return {"releases": releases.listing(session)}


@router.post("/{version}/rollout", status_code=201, responses={**answers(RolloutOut, 201), **problems(404, 409)})
def rollout(version: Version, body: RolloutIn, who: Caller = Depends(caller("admin")),
            session: Session = Depends(get_db)):
    """Ring "0" queues `update VERSION` for the one kiosk named; ring "all" for every other
    enabled kiosk, refused (409) until ring 0 acknowledged the update done, after its
    probation, and reports running the version."""
    queued = releases.rollout(session, version, body.ring, who.actor, body.terminal)
    return {"version": version, "ring": body.ring, "queued": queued}


def _release(session: Session, version: str) -> Release:
    release = session.get(Release, version)
    if release is None:
        raise NotFound("no such release")
    return release


@router.get("/{version}/manifest", response_class=Response,
            responses={200: binary("application/json", "The signed manifest, byte for byte"), **problems(404)})
def manifest(version: Version, who: Caller = Depends(caller("terminal")), session: Session = Depends(get_db)):
    return Response(_release(session, version).manifest, media_type="application/json")


@router.get("/{version}/bundle", response_class=Response,
            responses={200: binary("application/gzip", "The release's tarball"), **problems(404)})
def bundle(version: Version, who: Caller = Depends(caller("terminal")), session: Session = Depends(get_db)):
    release = _release(session, version)
    return Response(release.content, media_type="application/gzip", headers={
        "Content-Disposition": f'attachment; filename="chengmai-kiosk-{release.version}.tar.gz"'})
