"""The HTTP path, against real local servers on 127.0.0.1: downloads, zips, HTML, retries."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import MIRROR, checksum, copy_mirror, query, run_cli
from http_fixtures import QuietHandler, http_server

from coupwatch.errors import BadInput, FetchError
from coupwatch.sources import CONNECTORS
from coupwatch.sources.fetch import download

HTML = b"<!DOCTYPE html><html><body><h1>Please log in</h1></body></html>\n"
POP = "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv"


def handler_with(respond: Callable[[SimpleHTTPRequestHandler], bool]) -> type:
    """A file server where ``respond(self)`` may answer a request itself (returns True)."""

    class Handler(QuietHandler):
        hits: dict[str, int] = {}

        def do_GET(self):  # noqa: N802 - http.server's name
            Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
            if not respond(self):
                super().do_GET()

    return Handler


def send(request: SimpleHTTPRequestHandler, status: int, body: bytes, kind: str) -> bool:
    request.send_response(status)
    request.send_header("Content-Type", kind)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)
    return True


def world_bank_zip(name: str, data: bytes) -> bytes:
    """Like the World Bank's bulk download: the data CSV and two metadata CSVs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"Metadata_Indicator_{name}", b'"INDICATOR_CODE","SOURCE_NOTE"\n')
        archive.writestr(name, data)
        archive.writestr(f"Metadata_Country_{name}", b'"Country Code","Region"\n')
    return buffer.getvalue()


@pytest.fixture(scope="module")
def served_mirror(tmp_path_factory) -> Path:
    return copy_mirror(tmp_path_factory.mktemp("served") / "mirror")


# --- the whole mirror over HTTP -------------------------------------------------------------

def test_update_from_a_local_http_server(tmp_path, served_mirror, warehouse_path):
    home = tmp_path / "home"
    home.mkdir()
    with http_server(served_mirror) as url:
        result = run_cli("data", "update", "--base-url", url, home=home)
    assert result.returncode == 0, result.stderr
    db = home / "warehouse.duckdb"
    built, reference = checksum(db), checksum(warehouse_path)
    for table in ("events", "indicators", "unmapped", "countries"):
        assert built[table] == reference[table], table
    prov = query(db, "SELECT file, sha256, origin, rows FROM provenance").set_index("file")
    ref = query(warehouse_path, "SELECT file, sha256, rows FROM provenance").set_index("file")
    assert prov[["sha256", "rows"]].sort_index().equals(ref.sort_index())
    for file in (f for c in CONNECTORS.values() for f in c.files if not f.online_only):
        cached = home / "cache" / file.path
        assert cached.is_file(), file.path
        assert hashlib.sha256(cached.read_bytes()).hexdigest() == prov.loc[file.path, "sha256"]
        assert prov.loc[file.path, "origin"] == f"{url}/{file.path}"
        assert not cached.with_name(cached.name + ".part").exists()


def test_html_instead_of_csv_is_refused(tmp_path, home, served_mirror):
    def login_page(request) -> bool:
        return request.path.endswith("oil_prices.csv") and send(request, 200, HTML,
                                                                "text/html")

    before = checksum(home / "warehouse.duckdb")
    with http_server(served_mirror, handler_with(login_page)) as url:
        result = run_cli("data", "update", "--base-url", url, "--source", "oil", home=home)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {home / 'cache' / 'oil' / 'oil_prices.csv'}, row 1: ")
    assert "HTML" in lines[0]
    assert checksum(home / "warehouse.duckdb") == before


def test_world_bank_zip_through_the_cli(tmp_path, home, served_mirror, warehouse_path):
    def zipped(request) -> bool:
        name = request.path.rsplit("/", 1)[-1]
        if not name.startswith("API_"):
            return False
        # the World Bank names the member with a build number the URL does not carry
        member = name.replace(".csv", "_4770387.csv")
        body = world_bank_zip(member, (served_mirror / "wdi" / name).read_bytes())
        return send(request, 200, body, "application/zip")

    handler = handler_with(zipped)
    with http_server(served_mirror, handler) as url:
        result = run_cli("data", "update", "--base-url", url, "--source", "wdi", home=home)
    assert result.returncode == 0, result.stderr
    assert handler.hits[f"/{POP}"] == 1
    sql = "SELECT source, file, sha256, rows FROM provenance WHERE source = 'wdi' ORDER BY file"
    assert query(home / "warehouse.duckdb", sql).equals(query(warehouse_path, sql))
    cached = home / "cache" / POP
    assert cached.read_bytes() == (MIRROR / POP).read_bytes()


# --- fetch.download -----------------------------------------------------------------------

def test_download_extracts_the_named_member_of_a_zip(tmp_path):
    data = (MIRROR / POP).read_bytes()

    def zipped(request) -> bool:
        return send(request, 200, world_bank_zip("API_SP.POP.TOTL_DS2_en_csv_v2.csv", data),
                    "application/zip")

    with http_server(tmp_path, handler_with(zipped)) as url:
        download(f"{url}/x.zip", tmp_path / "out.csv", member=Path(POP).name)
    assert (tmp_path / "out.csv").read_bytes() == data


def test_download_refuses_a_damaged_or_ambiguous_zip(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("one.csv", "a\n")
        archive.writestr("two.csv", "b\n")
    bodies = {"/damaged.zip": b"PK\x03\x04 this is not really a zip",
              "/two.zip": buffer.getvalue()}

    def respond(request) -> bool:
        return send(request, 200, bodies[request.path], "application/zip")

    with http_server(tmp_path, handler_with(respond)) as url:
        for name in bodies:
            with pytest.raises(BadInput) as err:
                download(f"{url}{name}", tmp_path / "out.csv", member="data.csv")
            assert err.value.file == f"{url}{name}"
    assert not (tmp_path / "out.csv").exists()


def test_download_retries_503_then_succeeds(tmp_path):
    (tmp_path / "data.csv").write_bytes(b"year,oil_price_real\n2000,30\n")

    def flaky(request) -> bool:
        if Handler.hits[request.path] <= 2:
            return send(request, 503, b"busy", "text/plain")
        return False

    Handler = handler_with(flaky)  # noqa: N806 - a class
    with http_server(tmp_path, Handler) as url:
        download(f"{url}/data.csv", tmp_path / "out" / "data.csv", member="data.csv",
                 backoff=0.01)
    assert Handler.hits["/data.csv"] == 3
    assert (tmp_path / "out" / "data.csv").read_bytes() == b"year,oil_price_real\n2000,30\n"


def test_download_gives_up_after_retries_and_on_404(tmp_path):
    Handler = handler_with(lambda r: send(r, 503, b"busy", "text/plain"))  # noqa: N806
    with http_server(tmp_path, Handler) as url:
        with pytest.raises(FetchError) as err:
            download(f"{url}/a.csv", tmp_path / "a.csv", member="a.csv", retries=3,
                     backoff=0.01)
    assert Handler.hits["/a.csv"] == 3 and "503" in str(err.value)
    assert FetchError.exit_code == 1  # not the user's input
    Quiet404 = handler_with(lambda r: False)  # noqa: N806
    with http_server(tmp_path, Quiet404) as url:
        with pytest.raises(FetchError, match="404"):
            download(f"{url}/missing.csv", tmp_path / "m.csv", member="m.csv", backoff=0.01)
    assert Quiet404.hits["/missing.csv"] == 1  # a 404 is not retried
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "m.csv").exists()


def test_download_reports_progress(tmp_path):
    body = b"x" * 300_000
    (tmp_path / "big.csv").write_bytes(body)
    seen: list[tuple[int, int | None]] = []
    with http_server(tmp_path) as url:
        download(f"{url}/big.csv", tmp_path / "got.csv", member="big.csv",
                 progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(body), len(body))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
