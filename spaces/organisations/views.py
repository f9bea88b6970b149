"""Organisation pages: my organisations, members and invitations, accepting an invitation."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spaces.accounts.permissions import can_manage
from spaces.db import transaction
from spaces.errors import Conflict, Forbidden, RateLimited
from spaces.organisations import services
from spaces.organisations.forms import MemberForm, OrganisationForm
from spaces.web import current_actor as _user

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = OrganisationForm()
    if form.validate_on_submit():
        with transaction():
            organisation = services.create_organisation(_user(), form.name.data, form.kind.data)
        flash(_("%(name)s is created. You are its owner.", name=organisation.name), "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    page = render_template(
        "organisations/index.html", organisations=services.list_organisations(_user()), form=form
    )
    return make_response(page, 422 if form.errors else 200)


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def detail(organisation_id: int):
    organisation = services.get_organisation(_user(), organisation_id)
    role = services.role_of(_user(), organisation.id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            with transaction():
                outcome, _obj = services.add_member(
                    _user(), organisation, form.email.data, form.role.data
                )
        except (Forbidden, Conflict, RateLimited) as error:
            form.email.errors = [str(error.message)]
        else:
            if outcome == "member":
                flash(_("%(email)s is now a member.", email=form.email.data), "success")
            else:
                flash(
                    _("An invitation has been sent to %(email)s.", email=form.email.data), "success"
                )
            return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    page = render_template(
        "organisations/detail.html",
        organisation=organisation,
        members=services.members_of(organisation),
        invitations=[i for i in organisation.invitations if i.accepted_at is None],
        role=role,
        can_manage=can_manage(role),
        form=form,
    )
    return make_response(page, 422 if form.errors else 200)


@bp.post("/<int:organisation_id>/members/<int:user_id>/remove")
@login_required
def remove_member(organisation_id: int, user_id: int):
    organisation = services.get_organisation(_user(), organisation_id)
    try:
        with transaction():
            services.remove_member(_user(), organisation, user_id)
    except (Forbidden, Conflict) as error:
        flash(str(error.message), "error")
    else:
        flash(_("The member has been removed."), "success")
    if user_id == current_user.id:
        return redirect(url_for("organisations.index"))
    return redirect(url_for("organisations.detail", organisation_id=organisation_id))


@bp.route("/<int:organisation_id>/leave", methods=["GET", "POST"])
@login_required
def leave(organisation_id: int):
    """Leave an organisation: a confirmation page with one button (the link in the e-mail an
    employer's new member gets); the last owner is told to name another owner first."""
    organisation = services.get_organisation(_user(), organisation_id)
    if services.role_of(_user(), organisation.id) is None:
        abort(404)  # an administrator who is not a member has nothing to leave
    last_owner = services.is_last_owner(_user(), organisation)
    if request.method == "POST" and not last_owner:
        try:
            with transaction():
                services.remove_member(_user(), organisation, current_user.id)
        except Conflict as error:
            flash(str(error.message), "error")
        else:
            flash(_("You have left %(name)s.", name=organisation.name), "success")
            return redirect(url_for("organisations.index"))
    page = render_template(
        "organisations/leave.html", organisation=organisation, last_owner=last_owner
    )
    return make_response(page, 409 if last_owner and request.method == "POST" else 200)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    found = services.find_invitation(token)
    if found is None:
        abort(404)
    if not current_user.is_authenticated:
        return render_template("organisations/invitation.html", invitation=found, token=token)
    for_this_account = services.invitation_is_for(found, _user())
    if request.method == "POST" and for_this_account:
        with transaction():
            organisation = services.accept_invitation(_user(), token)
        flash(_("You are now a member of %(name)s.", name=organisation.name), "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    page = render_template(
        "organisations/invitation.html",
        invitation=found,
        token=token,
        for_this_account=for_this_account,
    )
    return make_response(page, 200 if for_this_account else 403)
