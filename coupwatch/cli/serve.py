"""``coupwatch serve``: the REST API and the dashboard on one local port."""

from __future__ import annotations

import typer

from coupwatch import config
from coupwatch.cli.common import console


def serve(
    host: str = typer.Option("127.0.0.1", help="address to bind (default: loopback only)"),
    port: int = typer.Option(8000, min=1, max=65535),
    cors_origin: list[str] | None = typer.Option(None, "--cors-origin",
                                                 help="allow this origin (repeatable); "
                                                 "CORS is off by default"),
    log_level: str = typer.Option("warning", help="uvicorn log level"),
    workers: int = typer.Option(1, min=1, max=8, help="server processes (each holds its "
                                "own copy of the data)"),
) -> None:
    """Serve the REST API (/api, /docs) and the dashboard (/) from the local warehouse."""
    import uvicorn

    from coupwatch.api import create_app

    console.print(f"coupwatch: dashboard http://{host}:{port}/  API docs http://{host}:{port}"
                  "/docs  (Ctrl-C to stop)")
    options = dict(host=host, port=port, log_level=log_level, access_log=False,
                   server_header=False)
    if workers > 1:
        config.pass_on(cors_origins=",".join(cors_origin or []))
        uvicorn.run("coupwatch.api.app:app_from_env", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(cors_origins=cors_origin or None), **options)
