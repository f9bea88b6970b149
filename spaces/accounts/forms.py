"""Account forms: the rules for e-mail, name and password live here, for pages and API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from spaces.forms import BaseForm, choices

PASSWORD_MIN, PASSWORD_MAX = 10, 128  # the forms', the API's and ``flask admin create``'s

PASSWORD_RULES = [
    DataRequired(message=_l("Choose a password.")),
    Length(
        min=PASSWORD_MIN,
        max=PASSWORD_MAX,
        message=_l(
            "Use between %(min)s and %(max)s characters.", min=PASSWORD_MIN, max=PASSWORD_MAX
        ),
    ),
]


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = PasswordField(
        _l("Password"), validators=PASSWORD_RULES, render_kw={"autocomplete": "new-password"}
    )


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class ForgotPasswordForm(BaseForm):
    email = email_field()


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"), validators=PASSWORD_RULES, render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ChangeEmailForm(BaseForm):
    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(BaseForm):
    name = RegisterForm.name
    locale = SelectField(
        _l("Language"),
        choices=choices([("", _l("Browser's language")), ("fr", "Français"), ("en", "English")]),
        validators=[Optional()],
    )


class DeleteAccountForm(BaseForm):
    current_password = ChangeEmailForm.current_password
    confirm = BooleanField(
        _l("I understand that my account and personal data will be deleted."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
