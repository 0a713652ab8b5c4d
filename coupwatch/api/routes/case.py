"""``GET /api/case/{name}``: a case study rebuilt from queries over the warehouse.

Like the SQL console, it reads the warehouse file read-only for the length of the request.
Another forecaster's file to compare with comes from the server's ``COUPWATCH_COMPARE``
setting, never from the request: the API reads no file a client names.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from coupwatch import config
from coupwatch.api.deps import dumps, json_bytes
from coupwatch.read import case as analysis

router = APIRouter(prefix="/api", tags=["case studies"])
ERRORS = {404: {"description": "No case study for this country, or unknown country"},
          422: {"description": "Invalid parameter (the message names it)"},
          503: {"description": "No warehouse yet, or another process is writing it"}}


@router.get("/case/{name}", summary="A case study: findings with their SQL, and claims "
            "checked against the data", responses=ERRORS)
def case_study(request: Request,
               name: str = Path(..., min_length=2, max_length=60, examples=["mali"])):
    study = analysis.case_study(name, path=request.app.state.store.path,
                                compare=config.compare_file())
    return json_bytes(dumps(analysis.as_json(study)))
