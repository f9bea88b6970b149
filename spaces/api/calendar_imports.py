"""Hosts' calendar imports over the API."""

from __future__ import annotations

PATHS: dict = {}
