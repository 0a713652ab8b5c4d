"""Country identity: G&W is canonical; COW, ISO3 and names are mapped onto it explicitly."""

from __future__ import annotations

import pytest

from coupwatch import countries
from coupwatch.errors import BadInput


@pytest.mark.parametrize(("cow", "year", "gw"), [
    (255, 1930, 255),  # Germany before 1945 keeps its code
    (255, 1991, 260),  # unified Germany: G&W continues West Germany
    (260, 1970, 260),  # West Germany
    (265, 1970, 265),  # East Germany
    (679, 1991, 678),  # unified Yemen: G&W continues the Yemen Arab Republic
    (678, 1980, 678),
    (680, 1980, 680),
    (345, 1990, 345),  # Yugoslavia
    (345, 2010, 340),  # Serbia after Montenegro left
    (345, 1900, 340),  # Serbia before Yugoslavia
    (816, 1980, 816),  # Vietnam (North, then unified)
    (817, 1965, 817),  # Republic of Vietnam
    (946, 1990, 970),  # Kiribati
    (947, 1990, 973),  # Tuvalu
    (955, 1990, 972),  # Tonga
    (970, 1990, 971),  # Nauru (never by identity: G&W 970 is Kiribati)
    (432, 2020, 432),  # Mali: the codes agree for most states
])
def test_cow_to_gw(cow, year, gw):
    assert countries.cow_to_gw(cow, year) == gw


def test_cow_code_with_no_gw_state_that_year_is_none():
    assert countries.cow_to_gw(255, 1960) is None  # COW 255 does not exist 1946-1989
    assert countries.cow_to_gw(946, 1978) is None  # Kiribati before independence


def test_unknown_cow_code_raises_key_error():
    with pytest.raises(KeyError):
        countries.cow_to_gw(1234, 2000)
    assert not countries.known_cowcode(1234)
    assert countries.known_cowcode(946)


@pytest.mark.parametrize(("iso3", "gw"), [
    ("DEU", 260), ("VNM", 816), ("YEM", 678), ("CZE", 316), ("SRB", 340), ("MLI", 432),
    ("mli", 432), ("KIR", 970), ("NRU", 971),
])
def test_iso3_to_gw(iso3, gw):
    assert countries.iso3_to_gw(iso3) == gw


def test_iso3_aggregates_and_territories_map_to_none():
    for code in ("WLD", "SSF", "HIC", "EUU", "ARB"):  # World Bank aggregates
        assert code in countries.wb_aggregates()
        assert countries.iso3_to_gw(code) is None
    assert countries.iso3_to_gw("ABW") is None  # Aruba: a territory, not a G&W state
    assert countries.iso3_to_gw("PRI") is None
    with pytest.raises(KeyError):
        countries.iso3_to_gw("ZZZ")


def test_identity_table():
    states = countries.gw_states()
    assert states["gwcode"].is_unique
    assert countries.gw_name(432) == "Mali" and countries.gw_iso3(432) == "MLI"
    assert countries.gw_iso3(260) == "DEU"
    iso = states["iso3"][states["iso3"] != ""]
    assert iso.is_unique  # one state per ISO3 code
    assert countries.gw_name(99999) == "99999" and countries.gw_iso3(99999) == ""


@pytest.mark.parametrize("query", ["Mali", "MLI", "mli", "432", 432, "Republic of Mali"])
def test_resolve(query):
    assert countries.resolve(query) == 432


def test_resolve_names_via_country_converter():
    assert countries.resolve("Burkina Faso") == 439
    assert countries.resolve("Ivory Coast") == 437
    assert countries.resolve("Germany") == 260


@pytest.mark.parametrize("query", ["Narnia", "9999", "ZZZ", ""])
def test_resolve_refuses_unknown_countries(query):
    with pytest.raises(BadInput) as err:
        countries.resolve(query)
    assert err.value.parameter == "country"
    assert "\n" not in str(err.value)
