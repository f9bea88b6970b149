"""Listing pages: search with a map, the public space page, and the host's pages.

The host's pages use the same forms and services as the API (``spaces/api/spaces.py`` and
``units.py``): geocoding happens before the transaction, each POST makes one service call inside
``transaction()``, then flashes and redirects; a form with errors is shown again with 422.
Maps are progressive enhancement: the list and the inputs work without JavaScript or tiles.

One blueprint, ``listings``; its routes live in ``search``, ``space`` and ``host`` (the pages
of spaces, units, opening hours and closures), their shared helpers in ``common``.
"""

from spaces.listings.views import host, search, space, stats  # noqa: F401  (routes attach to bp)
from spaces.listings.views.blueprint import bp

__all__ = ["bp"]
