"""Which warehouse variables become panel features, and how long each may be carried forward.

Carry-forward fills a missing value with the last one observed, at most ``carry`` years
back, because sources publish with a lag (REIGN stopped in 2021, UCDP and EPR run to 2021,
WDI's last year is often estimated). Every carried value is flagged: column ``<name>_cf``
holds how many years it was carried (0 = observed that year). Nothing is ever filled
backwards or interpolated, so a row never uses a value from after its own year.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    column: str
    source: str
    variable: str
    carry: int  # years a value may be carried forward
    count_up: bool = False  # a "years since" counter: carrying adds one per year
    about: str = ""
    levels: tuple[str, ...] = ()  # categories: the fixed set of indicator columns
    label: str = ""  # short name for tables and charts (default: ``about``)
    unit: str = ""  # "index 0-1", "% of GDP", "1 = yes", ...
    group: str = ""  # where a country page shows it (V-Dem, Economy, Conflict, Leader)
    origin: str = ""  # who produced the series, when not the source's own publisher
    # a source whose values continue this one's after its last year (``panel.leader_join``)
    fill: str = ""


FEATURES: tuple[Feature, ...] = (
    Feature("state_age", "gw", "state_age", 0,
            about="years since the state entered the G&W system", label="State age",
            unit="years"),
    Feature("gdp_pc", "wdi", "NY.GDP.PCAP.KD", 2, about="GDP per capita, constant US$",
            label="GDP per capita", unit="constant US$", group="Economy"),
    Feature("gdp_pc_growth", "wdi", "NY.GDP.PCAP.KD.ZG", 2, about="GDP per capita growth, %",
            label="GDP per capita growth", unit="% per year", group="Economy"),
    Feature("gdp_growth", "wdi", "NY.GDP.MKTP.KD.ZG", 2, about="GDP growth, %",
            label="GDP growth", unit="% per year", group="Economy"),
    Feature("pop", "wdi", "pop_thousands", 2, about="population, thousands", label="Population",
            unit="thousands", origin="World Bank WDI and historical estimates"),
    Feature("infmort", "wdi", "infmort", 2, about="infant deaths per 1,000 live births",
            label="Infant mortality", unit="per 1,000 live births", group="Economy"),
    Feature("infmort_yearadj", "wdi", "infmort_yearadj", 2,
            about="infant mortality relative to that year's global median"),
    Feature("milex_gdp", "wdi", "MS.MIL.XPND.GD.ZS", 3, about="military expenditure, % of GDP",
            label="Military expenditure", unit="% of GDP", group="Economy",
            origin="SIPRI, via World Bank WDI"),
    Feature("internet_users", "wdi", "IT.NET.USER.ZS", 3, about="internet users, % of people",
            label="Internet users", unit="% of people", origin="ITU, via World Bank WDI"),
    Feature("mobile_subs", "wdi", "IT.CEL.SETS.P2", 3, about="mobile subscriptions per 100",
            label="Mobile subscriptions", unit="per 100 people",
            origin="ITU, via World Bank WDI"),
    Feature("v2x_veracc_osp", "vdem", "v2x_veracc_osp", 2, about="vertical accountability",
            label="Vertical accountability", unit="index 0-1", group="V-Dem"),
    Feature("v2xcs_ccsi", "vdem", "v2xcs_ccsi", 2, about="core civil society index",
            label="Core civil society", unit="index 0-1", group="V-Dem"),
    Feature("v2xcl_rol", "vdem", "v2xcl_rol", 2, about="equality before the law",
            label="Equality before the law", unit="index 0-1", group="V-Dem"),
    Feature("v2x_freexp_altinf", "vdem", "v2x_freexp_altinf", 2,
            about="freedom of expression and alternative information",
            label="Freedom of expression", unit="index 0-1", group="V-Dem"),
    Feature("v2x_horacc_osp", "vdem", "v2x_horacc_osp", 2, about="horizontal accountability",
            label="Horizontal accountability", unit="index 0-1", group="V-Dem"),
    Feature("v2x_pubcorr", "vdem", "v2x_pubcorr", 2, about="public sector corruption",
            label="Public sector corruption", unit="index 0-1, higher = more corrupt",
            group="V-Dem"),
    Feature("any_conflict", "ucdp", "any_conflict", 2, about="any armed conflict (UCDP/PRIO)",
            label="Armed conflict (any)", unit="1 = yes", group="Conflict"),
    Feature("internal_conflict", "ucdp", "internal_confl", 2, about="internal armed conflict",
            label="Internal armed conflict", unit="1 = yes", group="Conflict"),
    Feature("major_conflict", "ucdp", "any_conflict_major", 2,
            about="conflict with 1,000+ battle deaths", label="Major armed conflict",
            unit="1 = yes"),
    Feature("war", "ucdp", "war", 2, about="war (1,000+ battle deaths in the year)",
            label="War (1,000+ battle deaths)", unit="1 = yes", group="Conflict"),
    Feature("ext_conflict", "ucdp", "ext_conf", 2, about="external armed conflict",
            label="External armed conflict", unit="1 = yes"),
    Feature("epr_excluded_pop", "epr", "epr_excluded_group_pop", 3,
            about="population share of politically excluded ethnic groups"),
    Feature("epr_excluded_groups", "epr", "epr_excluded_groups_count", 3,
            about="number of excluded ethnic groups"),
    Feature("epr_inpower_pop", "epr", "epr_inpower_groups_pop", 3,
            about="population share of groups in power"),
    Feature("epr_elf", "epr", "epr_elf", 3, about="ethno-linguistic fractionalisation"),
    Feature("leader_tenure", "reign", "leader_tenure_years", 1, count_up=True,
            about="years the end-of-year leader has held office (REIGN leader list)",
            label="Leader tenure", unit="years", group="Leader",
            origin="REIGN (OEF), then Wikidata after REIGN's end", fill="wikidata"),
    Feature("leader_age", "reign", "leader_age", 1, count_up=True, about="leader's age",
            label="Leader's age", unit="years"),
    Feature("leader_military", "reign", "leader_military", 1,
            about="leader has a military career (REIGN)", label="Leader from the military",
            unit="1 = yes", origin="REIGN (OEF), then Wikidata after REIGN's end",
            fill="wikidata"),
    Feature("years_since_election", "reign", "years_since_election", 3, count_up=True,
            about="years since the last national vote", label="Years since a national vote",
            unit="years", origin="REIGN (OEF), then Wikidata after REIGN's end",
            fill="wikidata"),
    Feature("regime_duration", "reign", "regime_duration_years", 3, count_up=True,
            about="years the current regime has lasted (GWF)", label="Regime duration",
            unit="years", origin="Geddes, Wright & Frantz, via REIGN"),
    Feature("reign_elected", "reign", "reign_elected", 3, about="leader was elected"),
    Feature("reign_tenure_months", "reign", "reign_tenure_months", 3, count_up=False,
            about="leader tenure in months (REIGN country-year)"),
    Feature("reign_anticipation", "reign", "reign_anticipation", 3,
            about="an election is anticipated"),
    Feature("reign_election_recent", "reign", "reign_election_recent", 3,
            about="an election took place recently"),
    Feature("reign_irregular", "reign", "reign_irregular", 3,
            about="log months since the last irregular leader exit"),
    Feature("reign_lastelection", "reign", "reign_lastelection", 3,
            about="log months since the last election"),
    Feature("reign_delayed", "reign", "reign_delayed", 3, about="an election was delayed"),
    Feature("reign_prev_conflict", "reign", "reign_prev_conflict", 3,
            about="recent civil conflict (REIGN)"),
    Feature("reign_militarycareer", "reign", "reign_militarycareer", 3,
            about="leader has a military career (REIGN country-year)"),
)

# Categorical variables become one indicator column per category, carried like the rest.
# The categories are fixed here, not taken from the data: otherwise a category first seen
# in a later year would add a column to every earlier row (the panel's shape would depend
# on the future). A category not listed counts as ``<column>_other``.
CATEGORIES: tuple[Feature, ...] = (
    Feature("gov", "reign", "reign_government", 3, about="REIGN government type",
            levels=("dominant_party", "foreign_occupied", "indirect_military", "military",
                    "military_personal", "monarchy", "oligarchy", "parliamentary_democracy",
                    "party_military", "party_personal", "party_personal_military_hybrid",
                    "personal_dictatorship", "presidential_democracy", "provisional_civilian",
                    "provisional_military", "warlordism")),
    Feature("regime", "reign", "regime_type", 3, about="GWF regime type",
            levels=("civilian_provisional", "foreign_occupied", "indirect_military",
                    "military", "military_personal", "monarchy", "oligarchy", "parliamentary",
                    "party_based", "party_military", "party_personal",
                    "party_personal_military", "personal", "presidential", "provisional",
                    "provisional_military", "warlordism")),
)

GLOBAL: tuple[Feature, ...] = (
    Feature("oil_price", "oil", "oil_price_real", 2, about="real oil price, US$ per barrel",
            label="Real oil price", unit="US$ per barrel"),
)

# Year-on-year and five-year changes (columns ``<name>_d1``, ``<name>_d5``).
CHANGES: tuple[str, ...] = ("v2x_veracc_osp", "v2xcs_ccsi", "v2xcl_rol", "v2x_freexp_altinf",
                            "v2x_horacc_osp", "v2x_pubcorr", "infmort", "milex_gdp")

# What a forecast is of: a coup attempt (successful or failed), a successful coup, a failed
# attempt. The one list of outcome names; the panel also counts them (``COUNTS``).
OUTCOMES = ("attempt", "coup", "failed")
COUNTS = ("n_attempts", "n_coups", "n_failed")
OUTCOME_COLUMNS = (*COUNTS, *OUTCOMES)

# The sources the panel draws on: its features', and (read by name in ``build``) the state
# system and the coup events. A warehouse without one of them cannot give a panel.
NEEDS: tuple[str, ...] = tuple(sorted({f.source for f in (*FEATURES, *CATEGORIES, *GLOBAL)}
                                      | {"gw", "powell_thyne"}))
