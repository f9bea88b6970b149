"""Account services: register, authenticate, tokens, password reset, profile changes, deletion.

Services take plain values and the acting user, flush but never commit, and raise domain errors.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from spaces.accounts.models import ApiToken, User
from spaces.accounts.passwords import hash_password, needs_rehash, verify_password
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, Unauthorized
from spaces.extensions import db
from spaces.mail import external_url, queue_mail

TOKEN_PREFIX = "spc_"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register_user(email: str, password: str, name: str, locale: str | None = None) -> User:
    """Create an account. Raises Conflict(email_taken) when the address is already used."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict(
            _l("An account already exists with this e-mail address."),
            code="email_taken",
            fields={"email": [_l("An account already exists with this e-mail address.")]},
        )
    user = User(
        email=email, name=name.strip(), password_hash=hash_password(password), locale=locale
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The active account with these credentials; raises Unauthorized otherwise.

    The same message is given for an unknown address and a wrong password.
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok:
        raise Unauthorized(_l("Wrong e-mail address or password."), code="invalid_credentials")
    if not user.is_active:
        raise Unauthorized(_l("This account is suspended."), code="account_suspended")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- API tokens ------------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Issue a bearer token for ``user``; returns the only copy of the clear token."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_sha256(clear), name=name[:120]))
    db.session.flush()
    return clear


def user_for_token(clear: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not clear or not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _sha256(clear)))
    if token is None or not token.user.is_active:
        return None
    return token.user


def revoke_api_token(clear: str) -> None:
    db.session.execute(sa.delete(ApiToken).where(ApiToken.token_hash == _sha256(clear)))


# --- password reset --------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password changes, so a used link stops working.
    return _sha256(f"{user.password_hash}:{user.session_version}")[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Mail a one-time reset link to the account, if there is one; says nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_mail(
        db.session, user.email, "password_reset", user.locale, user=user, link=link, minutes=max_age
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link was made for; raises Invalid when expired, used or forged."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Invalid(_l("This link has expired. Ask for a new one."), code="link_expired") from exc
    except BadSignature as exc:
        raise Invalid(_l("This link is not valid."), code="link_invalid") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _password_fingerprint(user):
        raise Invalid(
            _l("This link has already been used or is no longer valid."), code="link_used"
        )
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link, once; logs out every other session."""
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    return user


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))


# --- profile ---------------------------------------------------------------------------------


def _require_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password or ""):
        raise Invalid(
            _l("Your current password is incorrect."),
            code="wrong_password",
            fields={"current_password": [_l("Your current password is incorrect.")]},
        )


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password; other sessions and API tokens stop working."""
    _require_password(user, current_password)
    _set_password(user, new_password)


def change_email(user: User, current_password: str, new_email: str) -> None:
    """Change the address after checking the password; the old address is told."""
    _require_password(user, current_password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return
    if find_user_by_email(new_email) is not None:
        raise Conflict(
            _l("An account already exists with this e-mail address."),
            code="email_taken",
            fields={"email": [_l("An account already exists with this e-mail address.")]},
        )
    old = user.email
    user.email = new_email
    queue_mail(db.session, old, "email_changed", user.locale, user=user, new_email=new_email)


def update_profile(user: User, name: str, locale: str | None) -> None:
    user.name = name.strip()
    user.locale = locale or None


def set_locale(user: User, locale: str | None) -> None:
    user.locale = locale or None


def delete_account(user: User, current_password: str) -> None:
    """Remove personal data and keep an anonymous row, so bookings stay consistent.

    Raises Conflict(invalid_state) while the user is the only owner of an organisation that has
    other members: ownership must be handed over first.
    """
    _require_password(user, current_password)
    for membership in list(user.memberships):
        organisation = membership.organisation
        if membership.role != "owner":
            continue
        owners = [m for m in organisation.memberships if m.role == "owner"]
        others = [m for m in organisation.memberships if m.user_id != user.id]
        if len(owners) == 1 and others:
            raise Conflict(
                _l(
                    "You are the only owner of %(name)s: make someone else an owner first.",
                    name=organisation.name,
                ),
                code="invalid_state",
            )
    user.memberships.clear()
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.name = "—"
    user.password_hash = None
    user.locale = None
    user.deleted_at = utcnow()
    user.session_version += 1


def set_suspended(actor: User, user: User, suspended: bool) -> None:
    """Suspend or restore an account (administrators only)."""
    if not actor.is_admin:
        raise Forbidden()
    if actor.id == user.id:
        raise Conflict(_l("You cannot suspend your own account."), code="invalid_state")
    user.suspended_at = utcnow() if suspended else None
    if suspended:
        user.session_version += 1
