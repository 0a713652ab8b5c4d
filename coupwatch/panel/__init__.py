"""The country-year panel: every G&W state-year since 1950, outcomes of year t and features
known at the end of year t. Forecasts for year T use the row for T-1 (see ``design``)."""

from coupwatch.panel.build import build
from coupwatch.panel.design import design, feature_columns

__all__ = ["build", "design", "feature_columns"]
