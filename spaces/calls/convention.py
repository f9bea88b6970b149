"""The printable summary of a temporary occupation agreement (convention d'occupation temporaire)
for an accepted application: parties, premises, period, price, project, house rules, signatures.

A PDF written with fpdf2 in the vendored DejaVu Sans (any language, accents and the euro sign
included), in the reader's language. Reads the application; writes nothing.
"""

from __future__ import annotations

import os

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from spaces.calls.display import format_period
from spaces.i18n import format_money
from spaces.listings.vocabulary import UNIT_KINDS

FONTS = os.path.join(os.path.dirname(__file__), "fonts")
FAMILY = "DejaVu"
LINE = 5.5


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(110)
        self.cell(0, 10, f"{self.title} · {self.page_no()}/{{nb}}", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)


def _lines(pdf: FPDF, *lines: str) -> None:
    for line in lines:
        if line:
            pdf.multi_cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _price_text(booking) -> str:
    if booking is None:
        return _("To be agreed between the parties.")
    if booking.price_amount == 0:
        return _("Free of charge.")
    return _(
        "%(amount)s for the whole period (booking %(reference)s).",
        amount=format_money(booking.price_amount, booking.currency),
        reference=booking.reference,
    )


def convention_pdf(application) -> bytes:
    """The agreement's summary as PDF bytes, in the current language."""
    call = application.call
    unit = call.unit
    space = unit.space
    organisation = space.organisation
    applicant = application.applicant
    booking = application.booking

    pdf = _Document(format="A4")
    pdf.add_font(FAMILY, "", os.path.join(FONTS, "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", os.path.join(FONTS, "DejaVuSans-Bold.ttf"))
    title = _("Temporary occupation agreement")
    pdf.set_title(title)
    pdf.set_subject(f"{space.name} — {applicant.name}")
    pdf.set_author(organisation.name)
    pdf.set_creator("Spaces")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(90)
    _lines(
        pdf,
        _("Summary of the agreement following the call “%(title)s”.", title=call.title),
        _("Application no. %(id)s.", id=application.id),
    )
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, "", 10)

    _heading(pdf, _("1. Parties"))
    owner_contact = " · ".join(v for v in (organisation.email, organisation.phone) if v)
    _lines(pdf, _("The owner: %(name)s", name=organisation.name), owner_contact)
    occupant = applicant.name
    if application.organisation_name:
        occupant = _(
            "%(name)s, for %(organisation)s",
            name=applicant.name,
            organisation=application.organisation_name,
        )
    occupant_contact = " · ".join(v for v in (applicant.email, application.contact_phone) if v)
    _lines(pdf, _("The occupant: %(name)s", name=occupant), occupant_contact)

    _heading(pdf, _("2. Premises"))
    address = ", ".join(
        v for v in (space.address, f"{space.postal_code} {space.commune}".strip()) if v
    )
    _lines(
        pdf,
        f"{space.name} — {unit.name} ({UNIT_KINDS.get(unit.kind, unit.kind)})",
        address,
        _("Seats: %(seats)s", seats=application.seats),
    )

    _heading(pdf, _("3. Period"))
    _lines(
        pdf,
        _(
            "From %(first)s to %(last)s inclusive.",
            first=format_period(application.start_date, application.start_date),
            last=format_period(application.end_date, application.end_date),
        ),
        _("The occupation is temporary and precarious: it gives no right to stay on."),
    )

    _heading(pdf, _("4. Price"))
    _lines(pdf, _price_text(booking))

    _heading(pdf, _("5. Project and use of the premises"))
    _lines(pdf, application.project, application.planned_use)

    _heading(pdf, _("6. House rules"))
    _lines(pdf, space.house_rules or _("The house rules of the place apply."))
    if space.accessibility:
        _lines(pdf, _("Accessibility: %(text)s", text=space.accessibility))

    _heading(pdf, _("7. Signatures"))
    pdf.ln(2)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.cell(width, LINE, _("For the owner"))
    pdf.cell(width, LINE, _("The occupant"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(90)
    pdf.cell(width, LINE, organisation.name)
    pdf.cell(width, LINE, applicant.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(18)
    pdf.cell(width, LINE, _("Date and signature"))
    pdf.cell(width, LINE, _("Date and signature"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
