"""Addresses for results by post: Chengmai's towns and their villages and communities.
Public, like the catalogue: the names are published statistics."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..addresses import divisions
from ..openapi_docs import answers
from ..schemas.addresses import TownsOut
from .deps import json_answer

router = APIRouter(prefix="/v1/addresses", tags=["addresses"])
CACHE = "public, max-age=86400"  # the list changes with a new seed, at most once a year


@router.get("/towns", responses={**answers(TownsOut), 304: {"description": "Not modified: the copy held is current"}})
def towns(request: Request):
    """Every town of Chengmai County with its villages and communities, by the National
    Bureau of Statistics' 12-digit division codes (统计用区划代码; `source` names the
    list and its year). The kiosk's address step offers these and sends the codes chosen in
    a submission's `delivery` (POST /v1/cases). Cacheable: keep the copy and ask again with
    `If-None-Match` and its `ETag`; 304 when it is still current."""
    places = divisions()
    headers = {"ETag": places.etag, "Cache-Control": CACHE}
    if places.etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    answer = json_answer(places.body)
    answer.headers.update(headers)
    return answer
