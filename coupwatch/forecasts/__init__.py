"""From the panel to probabilities: backtests, scoring, the live forecast and its drivers."""
