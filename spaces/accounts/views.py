"""Account pages: register, log in and out, forgotten password, profile, deletion, language."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from spaces.accounts import services
from spaces.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from spaces.accounts.login import REGISTER_LIMIT, RESET_LIMIT, check_login
from spaces.db import transaction
from spaces.errors import Conflict, Invalid, RateLimited, Unauthorized
from spaces.extensions import limiter
from spaces.forms import attach_errors
from spaces.i18n import LANGUAGE_COOKIE, current_locale
from spaces.web import redirect_back, safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    invitation = request.args.get("invitation") or request.form.get("invitation")
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"]
    if form.validate_on_submit():
        from spaces.organisations import services as org_services

        password = services.new_password(form.password.data)  # slow: before the write lock
        try:
            with transaction():
                user = services.register_user(
                    form.email.data, password, form.name.data, current_locale()
                )
                joined = org_services.accept_pending_invitation(user, invitation)
        except Conflict as error:
            attach_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            if joined:
                flash(_("You are now a member of %(name)s.", name=joined.name), "success")
            return redirect_back()
    return render_template("accounts/register.html", form=form, invitation=invitation)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect_back()
    form = LoginForm()
    error = None
    status = 200
    headers = []
    if form.validate_on_submit():
        try:
            user = check_login(form.email.data, form.password.data)
        except (Unauthorized, RateLimited) as exc:
            error, status = str(exc.message), exc.status
            headers = getattr(exc, "headers", [])
        else:
            login_user(user, remember=form.remember.data)
            return redirect_back()
    elif request.method == "POST":
        status = 422
    page = render_template("accounts/login.html", form=form, error=error)
    return make_response(page, status, headers)


@bp.post("/logout")
def logout():
    # A copy of this session's cookie or of the remember-me cookie must not log in again: the
    # session version they carry is retired (every other browser session ends with it).
    if current_user.is_authenticated:
        with transaction():
            services.end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction():
            services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account exists for %(email)s, we have sent it a link to choose a new"
                " password. It is valid for %(minutes)s minutes.",
                email=form.email.data,
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except Invalid as error:
        page = render_template("accounts/reset_invalid.html", message=str(error.message))
        return make_response(page, 400)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        password = services.new_password(form.password.data)  # slow: before the write lock
        try:
            with transaction():
                user = services.reset_password(token, password)
        except Invalid as error:
            page = render_template("accounts/reset_invalid.html", message=str(error.message))
            return make_response(page, 400)
        logout_user()
        login_user(user)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(prefix="profile", obj=current_user)
    email_form = ChangeEmailForm(prefix="email")
    password_form = ChangePasswordForm(prefix="password")
    delete_form = DeleteAccountForm(prefix="delete")
    action = request.form.get("action")
    user = current_user._get_current_object()
    if action == "profile" and profile.validate_on_submit():
        with transaction():
            services.update_profile(user, profile.name.data, profile.locale.data)
        flash(_("Your profile is saved."), "success")
        response = redirect(url_for("accounts.account"))
        if profile.locale.data:
            response.set_cookie(
                LANGUAGE_COOKIE, profile.locale.data, max_age=365 * 86400, samesite="Lax"
            )
        return response
    if action == "email" and email_form.validate_on_submit():
        try:
            check = services.confirm_password(user, email_form.current_password.data)
            with transaction():
                services.change_email(user, check, email_form.email.data)
        except (Invalid, Conflict) as error:
            attach_errors(email_form, error)
        else:
            flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.account"))
    if action == "password" and password_form.validate_on_submit():
        try:
            # argon2 twice (check, then hash): both before the write lock.
            check = services.confirm_password(user, password_form.current_password.data)
            password = services.new_password(password_form.password.data)
            with transaction():
                services.change_password(user, check, password)
        except Invalid as error:
            attach_errors(password_form, error)
        else:
            login_user(user)  # the session version changed: keep this session, end the others
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    if action == "delete" and delete_form.validate_on_submit():
        try:
            check = services.confirm_password(user, delete_form.current_password.data)
            with transaction():
                services.delete_account(user, check)
        except Invalid as error:
            attach_errors(delete_form, error)
        except Conflict as error:
            delete_form.current_password.errors = [str(error.message)]
        else:
            logout_user()
            flash(_("Your account has been deleted."), "info")
            return redirect(url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "accounts/account.html",
        profile=profile,
        email_form=email_form,
        password_form=password_form,
        delete_form=delete_form,
    )
    return make_response(page, status)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        if current_user.is_authenticated:
            with transaction():
                services.set_locale(current_user._get_current_object(), lang)
    return response
