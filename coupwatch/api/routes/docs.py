"""Swagger UI at /docs from files in the package (no CDN, no inline script)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
SWAGGER = resources.files("coupwatch.api").joinpath("static", "swagger")
FILES = {"swagger-ui.css": "text/css", "favicon-32x32.png": "image/png",
         "LICENSE.swagger-ui.txt": "text/plain", "init.js": "application/javascript"}
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coupwatch API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png">
<script src="/docs/assets/swagger-ui-bundle.js" defer></script>
<script src="/docs/assets/init.js" defer></script>
</head>
<body><div id="swagger-ui"></div></body>
</html>
"""


@router.get("/docs")
def docs():
    return HTMLResponse(PAGE)


@router.get("/docs/assets/swagger-ui-bundle.js")
def bundle():
    data = SWAGGER.joinpath("swagger-ui-bundle.js.gz").read_bytes()
    return Response(data, media_type="application/javascript",
                    headers={"Content-Encoding": "gzip", "Cache-Control": "max-age=86400"})


@router.get("/docs/assets/{name}")
def asset(name: str):
    if name not in FILES:  # a fixed list: never a path from the client
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(SWAGGER.joinpath(name).read_bytes(), media_type=FILES[name],
                    headers={"Cache-Control": "max-age=86400"})
