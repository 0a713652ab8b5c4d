"""Swagger UI at /docs from files in the package (no CDN)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)
SWAGGER = resources.files("coupwatch.api").joinpath("static", "swagger")
FILES = {"swagger-ui.css": "text/css", "favicon-32x32.png": "image/png",
         "LICENSE.swagger-ui.txt": "text/plain"}


@router.get("/docs")
def docs():
    return get_swagger_ui_html(openapi_url="/openapi.json", title="coupwatch API",
                               swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/docs/assets/favicon-32x32.png")


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
