"""Listings: spaces (places), their units (what is booked), photos, and search."""
