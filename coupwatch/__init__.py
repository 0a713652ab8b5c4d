"""coupwatch: open early warning of coups, from open data to calibrated forecasts.

The package follows the data: ``sources`` (one connector per upstream dataset) feed the
``warehouse`` (one DuckDB file with provenance); ``panel`` builds the leakage-free
country-year panel; ``models`` and ``forecasts`` turn it into probabilities; ``api``,
``web`` and ``briefs`` show them.
"""

__version__ = "0.1.0"
