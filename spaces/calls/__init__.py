"""Calls for temporary occupation: calls, applications, their pages and API."""
