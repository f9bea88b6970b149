"""Calendars: iCalendar feeds out (RFC 5545), hosts' calendars in (busy blocks)."""
