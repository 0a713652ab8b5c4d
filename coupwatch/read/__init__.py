"""The read layer: every answer an interface shows, defined once below the web server.

The published views (``views``) over the warehouse; the SQL console on them (``console``);
the in-memory snapshot the API and the briefs read (``snapshot``); the explanations worker
(``explainer``); the region report (``region``) and case studies (``case``).
"""
