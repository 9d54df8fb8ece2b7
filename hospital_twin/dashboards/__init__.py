"""Voilà dashboards of the product (the simulation dashboard lives in ``simulation``)."""

import time

#: When the dashboard code started loading in this process (epoch s; render benchmark).
LOADED_AT = time.time()
