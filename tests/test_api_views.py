"""The API's monthly forecasts, stored backtests of any model, and security headers
(in-process, on the session's test warehouse)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import query

from coupwatch.forecasts import backtest, hazard

HORIZONS = (1, 3, 6, 12)


def _error(response, status: int, parameter: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert "Traceback" not in response.text
    if parameter is not None:
        assert body.get("parameter") == parameter, body
    return body


@pytest.fixture(scope="module")
def newest_monthly(forecast_warehouse) -> pd.DataFrame:
    return query(forecast_warehouse, """SELECT f.* FROM monthly_forecasts f WHERE f.run_id =
        (SELECT run_id FROM monthly_runs ORDER BY created_at DESC, run_id LIMIT 1)""")


@pytest.mark.parametrize("horizon", HORIZONS)
def test_monthly_forecasts_ranked_by_horizon(client, newest_monthly, horizon):
    body = client.get("/api/forecasts", params={"unit": "month", "horizon": horizon}).json()
    assert body["unit"] == "month" and body["horizon"] == horizon
    first = newest_monthly.iloc[0]
    assert body["origin"] == f"{first['year']}-{first['month']:02d}"
    items = body["items"]
    assert len(items) == len(newest_monthly) == body["count"]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert [i["p_attempt"] for i in items] == sorted((i["p_attempt"] for i in items),
                                                     reverse=True)
    stored = newest_monthly.set_index("iso3")
    for item in items[:15]:
        assert item["p_attempt"] == pytest.approx(stored.loc[item["iso3"],
                                                             f"p_attempt_{horizon}m"], abs=1e-6)
        assert item["p_coup"] == pytest.approx(stored.loc[item["iso3"], f"p_coup_{horizon}m"],
                                               abs=1e-6)
        assert (item["change"] is None) == (horizon != 3)


def test_monthly_defaults_regions_and_the_annual_answer_unchanged(client):
    default = client.get("/api/forecasts", params={"unit": "month"}).json()
    assert default["horizon"] == 3
    again = client.get("/api/forecasts", params={"unit": "month"})  # from the fast path
    assert again.json() == default
    ecowas = client.get("/api/forecasts", params={"unit": "month", "region": "ECOWAS"}).json()
    assert 10 <= ecowas["count"] <= 16 and "MRT" not in {i["iso3"] for i in ecowas["items"]}
    assert [i["region_rank"] for i in ecowas["items"]] == list(range(1, ecowas["count"] + 1))
    annual = client.get("/api/forecasts")
    assert client.get("/api/forecasts", params={"unit": "year"}).content == annual.content
    assert "unit" not in annual.json() and annual.json()["kind"] == "forecast"
    # a horizon alone means the monthly forecast (a request valid by the schema is answered)
    assert client.get("/api/forecasts", params={"horizon": 3}).json()["unit"] == "month"


@pytest.mark.parametrize("params,parameter", [
    ({"unit": "week"}, "unit"), ({"unit": "month", "horizon": 5}, "horizon"),
    ({"unit": "month", "horizon": 0}, "horizon"), ({"unit": "year", "horizon": 3}, "horizon"),
    ({"unit": "month", "year": 2023}, "year"), ({"unit": "month", "region": "Narnia"}, "region"),
])
def test_monthly_bad_parameters(client, params, parameter):
    _error(client.get("/api/forecasts", params=params), 422, parameter)


def test_openapi_declares_unit_and_horizon(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/forecasts"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}

    def enum(schema):
        for option in schema.get("anyOf", [schema]):
            if "enum" in option or "$ref" in option:
                return option
        return schema
    components = client.get("/openapi.json").json()["components"]["schemas"]
    resolved = {k: components[v["$ref"].rsplit("/", 1)[1]] if "$ref" in v else v
                for k, v in ((k, enum(s)) for k, s in schemas.items() if k in ("unit",
                                                                                "horizon"))}
    assert resolved["unit"]["enum"] == ["year", "month"]
    assert resolved["horizon"]["enum"] == list(HORIZONS)
    assert {"422", "503"} <= set(operation["responses"])


def test_monthly_risk_line(client, forecast_warehouse, newest_monthly):
    body = client.get("/api/forecasts/MLI/monthly").json()
    run = query(forecast_warehouse, """SELECT * FROM monthly_runs ORDER BY created_at DESC,
                                       run_id LIMIT 1""").iloc[0]
    hazards = query(forecast_warehouse, f"""SELECT * FROM monthly_backtests WHERE gwcode = 432
        AND data_key = '{run['data_key']}' AND model = '{run['model']}' AND seed = {run['seed']}
        ORDER BY origin""")
    assert len(body["items"]) == len(hazards) >= 12
    expected = hazard.cumulative(hazards[[f"h{k}" for k in range(1, 13)]].to_numpy(), 3)
    assert np.allclose([i["p"] for i in body["items"]], expected, atol=1e-6)
    by_month = {(i["year"], i["month"]): i for i in body["items"]}
    # Mali's coup of 21 May 2021: in the 3 months after February, not after January
    assert by_month[(2021, 2)]["observed"] == 1 and by_month[(2021, 1)]["observed"] == 0
    assert by_month[(2022, 11)]["observed"] is None  # the window runs past the coup data
    mali = newest_monthly.set_index("iso3").loc["MLI"]
    assert body["current"]["p"] == pytest.approx(mali["p_attempt_3m"], abs=1e-6)
    assert "2021-05-21" in {e["date"] for e in body["events"]}
    twelve = client.get("/api/forecasts/MLI/monthly", params={"horizon": 12}).json()
    assert all(a["p"] >= b["p"] for a, b in zip(twelve["items"], body["items"], strict=True))
    _error(client.get("/api/forecasts/XXX/monthly"), 404, "iso3")
    _error(client.get("/api/forecasts/MLI/monthly", params={"horizon": 2}), 422, "horizon")


def test_without_a_monthly_run_the_api_says_what_to_run(forecast_warehouse, tmp_path):
    import duckdb
    from fastapi.testclient import TestClient

    from coupwatch.api import create_app

    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(forecast_warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("DROP TABLE monthly_forecasts; DROP TABLE monthly_runs")
    con.close()
    app = create_app(copy)
    with TestClient(app) as client:
        for url in ("/api/forecasts?unit=month", "/api/forecasts/MLI/monthly"):
            body = _error(client.get(url), 503)
            assert "coupwatch forecast --unit month" in body["detail"]
        assert client.get("/api/health").json()["monthly_run"] is None
        assert client.get("/api/forecasts").status_code == 200
    app.state.explainer.shutdown()


def test_backtest_list_and_any_stored_model(client, forecast_warehouse):
    listing = client.get("/api/backtests").json()
    models = {(b["model"], b["seed"]): b for b in listing["items"]}
    assert {("logit", 0), ("climatology", 0)} <= set(models)
    assert models[("logit", 0)]["served"] and not models[("climatology", 0)]["served"]
    served = client.get("/api/backtest/metrics").json()
    assert served["model"] == "logit" and served["served"]
    chosen = client.get("/api/backtest/metrics", params={"model": "climatology",
                                                         "seed": 0}).json()
    assert chosen["model"] == "climatology" and not chosen["served"]
    key = models[("climatology", 0)]["data_key"]
    stored = query(forecast_warehouse, f"""SELECT * FROM backtests WHERE model =
        'climatology' AND seed = 0 AND data_key = '{key}'
        AND year BETWEEN {chosen['from']} AND {chosen['to']}""")
    summary, _ = backtest.evaluate(backtest.rows(stored, "attempt", "climatology"), n_boot=10)
    auc = {m["metric"]: m["value"] for m in chosen["metrics"]}["roc_auc"]
    assert auc == pytest.approx(summary.set_index("metric").loc["roc_auc", "value"])
    assert auc != pytest.approx({m["metric"]: m["value"] for m in served["metrics"]}["roc_auc"])
    _error(client.get("/api/backtest/metrics", params={"model": "lgbm"}), 404, "model")
    _error(client.get("/api/backtest/metrics", params={"model": "magic"}), 422, "model")
    _error(client.get("/api/backtest/metrics", params={"seed": -1}), 422, "seed")
    _error(client.get("/api/backtest/metrics", params={"data_key": "x'; --"}), 422,
           "data_key")


@pytest.mark.parametrize("path,script,style", [
    ("/", "'self'", "'self'"), ("/static/common.js", "'self'", "'self'"),
    ("/api/health", "'self'", "'self'"), ("/docs", "'self'", "'self' 'unsafe-inline'"),
])
def test_content_security_policy(client, path, script, style):
    response = client.get(path)
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == script  # never 'unsafe-inline' or 'unsafe-eval'
    assert policy["style-src"] == style
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script(client):
    brief = client.get("/briefs/MLI.html", params={"wait": 0})
    assert brief.headers["content-security-policy"].startswith("default-src 'none'")
    for path in ("/", "/docs"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), path
    assert not re.search(r"\sstyle\s*=", client.get("/").text)
