"""Booking pages: book a unit (with a live quote), a series' confirmation, my bookings (tabs,
series grouped, paging), one booking, cancelling after a confirmation step, the host inbox, and
the week strip fragment of the space page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from spaces.accounts.permissions import can_manage
from spaces.bookings import cancelling, deciding, queries, requesting, strip, terms
from spaces.bookings.forms import (
    BookingForm,
    BookingPageForm,
    CancelForm,
    DecisionForm,
    page_error_fields,
    page_formdata,
)
from spaces.bookings.quotes import quote, quote_term
from spaces.db import transaction, utcnow
from spaces.employers import budget as sponsor_budget
from spaces.employers import services as sponsorships
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.forms import attach_errors, flatten_errors
from spaces.inputs import parse_window
from spaces.listings.services import get_unit
from spaces.organisations.services import role_of
from spaces.web import current_actor as _actor
from spaces.web import safe_next

bp = Blueprint("bookings", __name__)

PRESETS = {
    "morning": ("09:00", "13:00"),
    "afternoon": ("13:00", "17:00"),
    "day": ("09:00", "17:00"),
}

# The booking page's fields shown next to their inputs; other messages go on top.
SHOWN_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "end_date",
    "seats",
    "note",
    "skip_conflicts",
    "sponsor_organisation_id",
)
# The repeat rule's messages, shown inside the repeat section.
REPEAT_FIELDS = ("repeat.weekdays", "repeat.until")
# What the page carries through a log-in (the chosen slot survives it).
CARRIED = (
    "date", "start_time", "end_time", "end_date", "seats", "note", "weekdays", "until",
    "sponsor_organisation_id",
)  # fmt: skip
MAX_CARRIED_CHARS = 1000
# The dates a series skipped, kept for its confirmation page (the session is a cookie: bounded).
SKIPPED_KEY = "series_skipped"
MAX_SKIPPED_KEPT = 60
PER_PAGE = 20
TABS = ("upcoming", "past", "cancelled")


def _show_errors(form, error: Invalid) -> list[str]:
    """Field messages next to the shown fields, the repeat rule's returned for the repeat
    section; the rest, then the error's message, on top."""
    error = page_error_fields(error)
    fields = error.fields or {}
    repeat = [str(m) for name in REPEAT_FIELDS for m in fields.get(name, [])]
    others = {name: messages for name, messages in fields.items() if name not in REPEAT_FIELDS}
    if others:
        form.form_errors.extend(
            attach_errors(form, Invalid(error.message, fields=others), shown=SHOWN_FIELDS)
        )
    form.form_errors.append(str(error.message))
    return repeat


def _set_times(form: BookingPageForm, start: str, end: str) -> None:
    """Put a preset's times in the pickers (what was typed elsewhere stays)."""
    for field, value in ((form.start_time, start), (form.end_time, end)):
        field.raw_data = [value]
        field.data = datetime.strptime(value, "%H:%M").time()


def _initial_form(tz: ZoneInfo) -> BookingPageForm:
    """The form of a GET: from the link's values (a strip day, search results, a log-in)."""
    args = request.args
    form = BookingPageForm(formdata=page_formdata(args) if args else None)
    if args.get("start") or args.get("end"):
        form.fill_from(args.get("start"), args.get("end"))
    if form.date.data is None:
        form.date.data = datetime.now(tz).date() + timedelta(days=1)
        form.date.raw_data = None
    start_time, end_time = PRESETS.get(args.get("preset", "day"), PRESETS["day"])
    if form.start_time.data is None:
        form.start_time.data = datetime.strptime(start_time, "%H:%M").time()
        form.start_time.raw_data = None
    if form.end_time.data is None:
        form.end_time.data = datetime.strptime(end_time, "%H:%M").time()
        form.end_time.raw_data = None
    return form


def _quoted_seats(unit, form) -> int | None:
    """The seats a page quotes: the form's for a desk pool (None when out of range); 1 for a
    unit booked whole, which its page books as one whatever a link said."""
    seats = form.seats.data if unit.is_pool and isinstance(form.seats.data, int) else 1
    return seats if 1 <= seats <= 10000 else None


def _quote_of(unit, form: BookingPageForm, tz: ZoneInfo):
    """The quote for the form's slot (shown without JavaScript), or None when incomplete."""
    if unit.space.status != "published" or not unit.active:
        return None
    try:
        start, end = parse_window(*form.window_texts(), tz, ordered=False)
    except Invalid:
        return None
    seats = _quoted_seats(unit, form)
    if seats is None:
        return None
    return quote(unit, start, end, seats)


def _login_redirect(unit_id: int):
    """To the log-in page, coming back to this form with everything chosen."""
    pairs = []
    for name in CARRIED:
        for value in request.form.getlist(name)[:7]:
            if value:
                pairs.append((name, value[:MAX_CARRIED_CHARS]))
    target = url_for("bookings.book", unit_id=unit_id)
    if pairs:
        target = f"{target}?{urlencode(pairs)}"
    flash(_("Log in or sign up to confirm: your choice is kept."), "info")
    return redirect(url_for("accounts.login", next=target))


# The refusals of an employer's budget or rules, shown next to the "Paid by" select too.
SPONSOR_REFUSALS = ("over_budget", "sponsor_policy")


def _sponsors(actor, day: date | None, tz: ZoneInfo) -> list[dict]:
    """The employers the booker may bill (member, with budgets and rules set), each with what
    is left in the month of ``day`` (today when none): the smaller of the member's and the
    organisation's remainders, None when neither is limited."""
    if actor is None:
        return []
    day = day if isinstance(day, date) else datetime.now(tz).date()
    month = f"{day.year:04d}-{day.month:02d}"
    found = []
    for organisation in sponsorships.sponsors_for(actor):
        if sponsorships.get_sponsorship(organisation) is None:
            continue
        figures = sponsor_budget.remaining(organisation, actor, month)
        limits = [
            figures[name]
            for name in ("member_remaining", "total_remaining")
            if figures[name] is not None
        ]
        found.append(
            {
                "organisation": organisation,
                "left": min(limits) if limits else None,
                "currency": figures.get("currency", "EUR"),
                "month_label": sponsor_budget.month_name(day.replace(day=1)),
            }
        )
    return found


def _sponsor_refused(form, error: Conflict) -> None:
    """An employer's refusal goes next to "Paid by" as well as on top."""
    if error.code in SPONSOR_REFUSALS:
        form.sponsor_organisation_id.errors = [str(error.message)]


def _keep_skipped(series_id: int, skipped: list[dict]) -> None:
    session[SKIPPED_KEY] = {
        "series": series_id,
        "dates": [[item["date"], item.get("reason") or ""] for item in skipped[:MAX_SKIPPED_KEPT]],
    }


@bp.route("/units/<int:unit_id>/book", methods=["GET", "POST"])
def book(unit_id: int):
    actor = _actor()
    unit = get_unit(actor, unit_id)
    tz = ZoneInfo(unit.space.timezone)
    conflicts: list[dict] = []
    repeat_errors: list[str] = []
    status = 200
    if request.method == "GET":
        form = _initial_form(tz)
    else:
        # The page's repeat inputs (``weekdays`` boxes, ``until``) go through the API's RepeatForm.
        form = BookingPageForm(formdata=page_formdata(request.form))
        preset = request.form.get("preset")
        if preset in PRESETS:
            # Without JavaScript a quick choice comes back here: set its times, keep the rest.
            _set_times(form, *PRESETS[preset])
        elif actor is None:
            # Visitors see the form and its quote; signing in comes at "Confirm".
            return _login_redirect(unit.id)
        else:
            outcome = _submit(unit, form, tz)
            if isinstance(outcome, tuple):
                status, conflicts, repeat_errors = outcome
            else:
                return outcome
    page = render_template(
        "bookings/book.html",
        unit=unit,
        space=unit.space,
        form=form,
        conflicts=conflicts,
        repeat_errors=repeat_errors,
        repeat_open=bool(conflicts or repeat_errors or _repeat_requested(form)),
        chosen_weekdays={str(e.data) for e in form.repeat.weekdays if e.data is not None},
        presets=PRESETS,
        quote=_quote_of(unit, form, tz),
        anonymous=actor is None,
        sponsors=_sponsors(actor, form.date.data, tz),
    )
    return make_response(page, status)


def _repeat_requested(form: BookingPageForm) -> bool:
    return bool(
        [e for e in form.repeat.weekdays if e.raw_data and e.raw_data[0]]
        or (form.repeat.until.raw_data and form.repeat.until.raw_data[0])
    )


def _submit(unit, form: BookingPageForm, tz: ZoneInfo):
    """Book from the page: a redirect, or (status, conflicts, repeat messages) to show."""
    requested = _repeat_requested(form)
    if not form.validate_on_submit():
        repeat = [m for ms in flatten_errors(form.repeat.errors).values() for m in ms]
        if form.csrf_token.errors:
            form.form_errors.append(_("The form expired: please try again."))
        form.form_errors.append(str(Invalid.default_message))
        return 422, [], repeat
    try:
        missing = form.validate_repeat_presence(requested)
        if missing:
            raise Invalid(fields=missing)
        start_text, end_text = form.window_texts()
        # The order is the service's rule (bookings.rules), as over the API.
        start, end = parse_window(start_text, end_text, tz, ordered=False)
        repeat = form.repeat_data(requested)
        skip = form.skip_conflicts.data or request.form.get("book_others") == "1"
        with transaction():
            result = requesting.request_booking(
                _actor(),
                unit.id,
                start,
                end,
                form.seats.data or 1,
                note=form.note.data or "",
                repeat=repeat,
                skip_conflicts=skip,
                sponsor_organisation_id=form.sponsor_organisation_id.data,
            )
    except Invalid as error:
        return 422, [], _show_errors(form, error)
    except Conflict as error:
        form.form_errors.append(str(error.message))
        _sponsor_refused(form, error)
        return 409, error.extra.get("conflicts", []), []
    first = result.first
    if result.series is not None:
        _keep_skipped(result.series.id, result.skipped)
        return redirect(url_for("bookings.series", booking_id=first.id))
    if first.status == "confirmed":
        flash(_("Booked! Reference %(ref)s.", ref=first.reference), "success")
    else:
        flash(_("Request sent to the host. Reference %(ref)s.", ref=first.reference), "success")
    return redirect(url_for("bookings.detail", booking_id=first.id))


# What the term page carries through a log-in.
TERM_CARRIED = ("start_date", "end_date", "seats", "note")
TERM_FIELDS = ("start_date", "end_date", "seats", "note", "sponsor_organisation_id")


def _term_form(source, tz: ZoneInfo) -> BookingForm:
    """The term page's form (the API's ``BookingForm``); a first visit proposes 30 days from
    tomorrow."""
    form = BookingForm(formdata=source if source else None)
    if not source:
        tomorrow = datetime.now(tz).date() + timedelta(days=1)
        form.start_date.data, form.end_date.data = tomorrow, tomorrow + timedelta(days=29)
    return form


def _term_quote(unit, form: BookingForm):
    """The quote of the form's days (server-rendered), or None when they are incomplete."""
    first, last = form.start_date.data, form.end_date.data
    if not isinstance(first, date) or not isinstance(last, date):
        return None
    seats = _quoted_seats(unit, form)
    if seats is None:
        return None
    return quote_term(unit, first, last, seats)


@bp.route("/units/<int:unit_id>/book-term", methods=["GET", "POST"])
def book_term(unit_id: int):
    """Book a unit by the month or for a period: two dates, a quote, then the booking."""
    actor = _actor()
    unit = get_unit(actor, unit_id)
    if unit.price_month is None:
        abort(404)
    tz = ZoneInfo(unit.space.timezone)
    status = 200
    if request.method == "GET":
        form = _term_form(request.args, tz)
    elif actor is None:
        pairs = [(n, request.form.get(n, "")[:MAX_CARRIED_CHARS]) for n in TERM_CARRIED]
        target = url_for("bookings.book_term", unit_id=unit.id)
        flash(_("Log in or sign up to confirm: your choice is kept."), "info")
        return redirect(url_for("accounts.login", next=f"{target}?{urlencode(pairs)}"))
    else:
        form = BookingForm(formdata=request.form)
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                form.form_errors.append(_("The form expired: please try again."))
            form.form_errors.append(str(Invalid.default_message))
            status = 422
        else:
            try:
                with transaction():
                    result = terms.request_term(
                        actor,
                        unit.id,
                        form.start_date.data,
                        form.end_date.data,
                        form.seats.data or 1,
                        note=form.note.data or "",
                        sponsor_organisation_id=form.sponsor_organisation_id.data,
                    )
            except Invalid as error:
                form.form_errors.extend(attach_errors(form, error, shown=TERM_FIELDS))
                if error.fields:
                    form.form_errors.append(str(error.message))
                status = 422
            except Conflict as error:
                form.form_errors.append(str(error.message))
                _sponsor_refused(form, error)
                status = 409
            else:
                booking = result.first
                if booking.status == "confirmed":
                    flash(_("Booked! Reference %(ref)s.", ref=booking.reference), "success")
                else:
                    message = _(
                        "Request sent to the host. Reference %(ref)s.", ref=booking.reference
                    )
                    flash(message, "success")
                return redirect(url_for("bookings.detail", booking_id=booking.id))
    page = render_template(
        "bookings/book_term.html",
        unit=unit,
        space=unit.space,
        form=form,
        quote=_term_quote(unit, form),
        anonymous=actor is None,
        sponsors=_sponsors(actor, form.start_date.data, tz),
    )
    return make_response(page, status)


@bp.get("/units/<int:unit_id>/coming-days")
def coming_days_fragment(unit_id: int):
    """A unit's week strip as an HTML fragment (live refresh and week paging; ETag)."""
    from spaces.i18n import current_locale

    unit = get_unit(_actor(), unit_id)
    if unit.space.status != "published":
        raise NotFound()
    shown = strip.strip_page(unit.space, strip.asked_day(request.args.get("from")))
    today = strip.local_today(unit.space)
    etag = f"{unit.id}-{unit.availability_version}-{today}-{shown.first}-{current_locale()}"
    if request.if_none_match.contains(etag):
        return "", 304
    response = make_response(
        render_template(
            "bookings/_coming_days.html",
            unit=unit,
            days=strip.week(unit, shown.first),
            shown=shown,
        )
    )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- my bookings --------------------------------------------------------------------------------


def tab_of(booking, now: datetime) -> str:
    """Where a booking is listed: cancelled (or declined, expired), past, or upcoming."""
    if booking.effective_status(now) in ("cancelled", "declined", "expired"):
        return "cancelled"
    return "upcoming" if booking.end_at > now else "past"


def _entries(bookings: list, newest_first: bool) -> list[dict]:
    """Rows of a tab: a booking alone, or the dates of one series together."""
    entries: list[dict] = []
    by_series: dict[int, dict] = {}
    for booking in bookings:
        if booking.series_id is None:
            entries.append({"series": None, "bookings": [booking]})
        elif booking.series_id in by_series:
            by_series[booking.series_id]["bookings"].append(booking)
        else:
            entry = {"series": booking.series, "bookings": [booking]}
            by_series[booking.series_id] = entry
            entries.append(entry)
    if newest_first:
        entries.reverse()
        for entry in entries:
            entry["bookings"].reverse()
    return entries


def _page_number(pages: int) -> int:
    page = request.args.get("page", default=1, type=int) or 1
    return max(1, min(page, pages))


@bp.get("/bookings")
@login_required
def mine():
    now = utcnow()
    tab = request.args.get("tab", "upcoming")
    if tab not in TABS:
        tab = "upcoming"
    grouped: dict[str, list] = {name: [] for name in TABS}
    for booking in queries.list_bookings(_actor()):
        grouped[tab_of(booking, now)].append(booking)
    entries = _entries(grouped[tab], newest_first=tab != "upcoming")
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = _page_number(pages)
    return render_template(
        "bookings/mine.html",
        tab=tab,
        tabs=TABS,
        counts={name: len(items) for name, items in grouped.items()},
        entries=entries[(page - 1) * PER_PAGE : page * PER_PAGE],
        page=page,
        pages=pages,
        now=now,
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = queries.get_booking(_actor(), booking_id)
    return render_template(
        "bookings/detail.html",
        booking=booking,
        now=utcnow(),
        is_host=queries.can_handle(_actor(), booking),
        decision_form=DecisionForm(),
    )


def _planned_dates(series) -> list[date]:
    """Every date the series asked for (bounded by the service: at most 200 weeks)."""
    weekdays = set(series.weekday_list)
    day, days = series.first_date, []
    while day <= series.until and len(days) < requesting.MAX_OCCURRENCES:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


@bp.get("/bookings/<int:booking_id>/series")
@login_required
def series(booking_id: int):
    """A series: every booked date with its status, the skipped ones and why, the total."""
    booking = queries.get_booking(_actor(), booking_id)
    if booking.series is None:
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    tz = ZoneInfo(booking.unit.space.timezone)
    now = utcnow()
    occurrences = list(booking.series.bookings)
    booked_days = {b.start_at.astimezone(tz).date() for b in occurrences}
    kept = session.get(SKIPPED_KEY) or {}
    reasons = dict(kept.get("dates", [])) if kept.get("series") == booking.series_id else {}
    skipped = [
        (day, reasons.get(day.isoformat(), ""))
        for day in _planned_dates(booking.series)
        if day not in booked_days
    ]
    live = [b for b in occurrences if b.effective_status(now) in ("requested", "confirmed")]
    return render_template(
        "bookings/series.html",
        booking=booking,
        series=booking.series,
        occurrences=occurrences,
        skipped=skipped,
        total=sum(b.price_amount for b in live),
        live_count=len(live),
        currency=booking.currency,
        now=now,
        is_host=queries.can_handle(_actor(), booking),
    )


# --- actions --------------------------------------------------------------------------------------


def _action(booking_id: int, action):
    booking = queries.get_booking(_actor(), booking_id)
    try:
        with transaction():
            booking = queries.get_booking(_actor(), booking_id)
            action(booking)
    except (Conflict, Forbidden, Invalid) as error:
        flash(str(error.message), "error")
    return redirect(safe_next(request.form.get("next"), "bookings.detail", booking_id=booking.id))


def _cancel_choices(booking, now: datetime) -> dict[str, list]:
    """What each scope would cancel (live dates not yet over), for the confirmation step."""
    if booking.series is None:
        return {"one": [booking]}
    live = [
        b
        for b in booking.series.bookings
        if b.effective_status(now) in ("requested", "confirmed") and b.end_at > now
    ]
    return {
        "one": [booking],
        "following": [b for b in live if b.start_at >= booking.start_at],
        "series": live,
    }


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(booking_id: int):
    """GET: what would be cancelled, and a button to confirm (works without JavaScript)."""
    if request.method == "GET":
        booking = queries.get_booking(_actor(), booking_id)
        now = utcnow()
        form = CancelForm()
        scope = request.args.get("scope", "one")
        form.scope.data = scope if scope in ("one", "following", "series") else "one"
        return render_template(
            "bookings/cancel.html",
            booking=booking,
            form=form,
            choices=_cancel_choices(booking, now),
            cancellable=booking.effective_status(now) in ("requested", "confirmed")
            and booking.end_at > now,
            back=safe_next(request.args.get("next"), "bookings.detail", booking_id=booking.id),
            now=now,
        )
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)

    def run(booking):
        done = cancelling.cancel_booking(_actor(), booking, form.scope.data, form.reason.data or "")
        flash(
            ngettext("%(num)s booking cancelled.", "%(num)s bookings cancelled.", len(done)),
            "success",
        )

    return _action(booking_id, run)


@bp.post("/bookings/<int:booking_id>/approve")
@login_required
def approve(booking_id: int):
    if not DecisionForm().validate_on_submit():
        abort(400)

    def run(booking):
        deciding.approve_booking(_actor(), booking)
        flash(_("Request accepted."), "success")

    return _action(booking_id, run)


@bp.post("/bookings/<int:booking_id>/decline")
@login_required
def decline(booking_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)

    def run(booking):
        deciding.decline_booking(_actor(), booking, form.reason.data or "")
        flash(_("Request declined."), "success")

    return _action(booking_id, run)


@bp.get("/host/bookings")
@login_required
def host_inbox():
    """Bookings of the places the user's organisations list: requests first."""
    from spaces.listings.services import spaces_of

    now = utcnow()
    spaces = [s for s in spaces_of(_actor()) if can_manage(role_of(_actor(), s.organisation_id))]
    bookings = []
    for space in spaces:
        try:
            bookings.extend(queries.list_bookings(_actor(), space_id=space.id))
        except NotFound:
            continue
    pending = [b for b in bookings if b.effective_status(now) == "requested"]
    upcoming = [b for b in bookings if b.status == "confirmed" and b.end_at > now]
    hosts = {space.organisation_id: space.organisation for space in spaces}
    return render_template(
        "bookings/host.html",
        pending=pending,
        upcoming=upcoming,
        now=now,
        host_organisations=sorted(hosts.values(), key=lambda o: o.name.lower()),
    )
