"""The periodic work of Spaces, handed to the job scheduler by ``create_app``.

``spaces.jobs`` runs queues and schedules but knows no domain; this list names the work by dotted
path, so nothing here is imported until a job runs.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from spaces.jobs import Task, daily_at, every, setting


def periodic_tasks(app: Flask) -> list[Task]:
    """Calendar syncs, request expiry, the day-before reminders, the employers' monthly
    statements and the search log's purge (rows older than 24 months, daily), at their
    configured pace."""
    sync = timedelta(minutes=setting(app, "CALENDAR_SYNC_MINUTES", 15.0, float))
    expire = timedelta(minutes=setting(app, "EXPIRE_REQUESTS_MINUTES", 5.0, float))
    hour = setting(app, "REMINDERS_HOUR", 10, int) % 24
    statements_hour = setting(app, "STATEMENTS_HOUR", 7, int) % 24
    tz = ZoneInfo(app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return [
        Task("calendar-sync", "spaces.calendars.sync.enqueue_all_syncs", every(sync), sync),
        Task(
            "expire-requests", "spaces.bookings.deciding.expire_requests_job", every(expire), expire
        ),
        Task(
            "reminders",
            "spaces.bookings.reminders.send_reminders_job",
            daily_at(hour, tz),
            timedelta(hours=1),
        ),
        # Daily; sends only the employers' statements of last month not sent yet (exactly once).
        Task(
            "employer-statements",
            "spaces.employers.mailing.send_monthly_statements_job",
            daily_at(statements_hour, tz),
            timedelta(hours=1),
        ),
        Task(
            "purge-search-log",
            "spaces.observatory.searchlog.purge_search_log_job",
            daily_at(3, tz),
            timedelta(hours=1),
        ),
    ]
