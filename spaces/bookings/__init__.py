"""Bookings: requests, confirmations, series, prices; the one place that decides a booking fits."""
