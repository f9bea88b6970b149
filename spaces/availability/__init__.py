"""Availability: opening windows, closures, busy blocks, and the engine that combines them."""
