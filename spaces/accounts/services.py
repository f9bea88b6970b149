"""Account services: register, authenticate, tokens, password reset, profile changes, deletion.

Services take plain values and the acting user, flush but never commit, and raise domain errors.

argon2 is slow on purpose (tenths of a second of CPU), and on SQLite ``transaction()`` holds the
whole database's write lock: hashing or verifying in there made every other writer queue. So the
slow work happens before the transaction, and the services take its result: a ``NewPassword``
(hashed by ``new_password``) and a ``PasswordCheck`` (made by ``confirm_password``, re-checked
cheaply inside the transaction). ``authenticate`` only reads: a log-in takes no write lock.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

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


@dataclass(frozen=True)
class NewPassword:
    """A password hashed before the transaction, by ``new_password``."""

    hash: str


def new_password(password: str) -> NewPassword:
    """Hash a new password (slow: call it before ``transaction()``, never inside)."""
    return NewPassword(hash_password(password))


@dataclass(frozen=True)
class PasswordCheck:
    """Proof that ``password_hash`` (the user's hash at the time) matched the password typed."""

    user_id: int
    password_hash: str


def confirm_password(user: User, password: str) -> PasswordCheck:
    """Check the current password of a logged-in user (slow: before ``transaction()``).

    Raises Invalid(wrong_password) naming the ``current_password`` field.
    """
    if not verify_password(user.password_hash, password or ""):
        raise _wrong_password()
    return PasswordCheck(user.id, user.password_hash)


def _wrong_password() -> Invalid:
    return Invalid(
        _l("Your current password is incorrect."),
        code="wrong_password",
        fields={"current_password": [_l("Your current password is incorrect.")]},
    )


def _require_password(user: User, check: PasswordCheck) -> None:
    # Cheap, inside the transaction: the password has not changed since it was verified.
    if not isinstance(check, PasswordCheck):
        raise TypeError("verify the password with confirm_password() before transaction()")
    if check.user_id != user.id or check.password_hash != user.password_hash:
        raise _wrong_password()


def _hashed(password: NewPassword) -> str:
    if not isinstance(password, NewPassword):
        raise TypeError("hash the password with new_password() before transaction()")
    return password.hash


def register_user(email: str, password: NewPassword, name: str, locale: str | None = None) -> User:
    """Create an account. Raises Conflict(email_taken) when the address is already used."""
    password_hash = _hashed(password)
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict(
            _l("An account already exists with this e-mail address."),
            code="email_taken",
            fields={"email": [_l("An account already exists with this e-mail address.")]},
        )
    user = User(email=email, name=name.strip(), password_hash=password_hash, locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The active account with these credentials; raises Unauthorized otherwise.

    Reads only, so call it outside ``transaction()``: no write lock is held while argon2 runs.
    The same message is given for an unknown address and a wrong password.
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok:
        raise Unauthorized(_l("Wrong e-mail address or password."), code="invalid_credentials")
    if not user.is_active:
        raise Unauthorized(_l("This account is suspended."), code="account_suspended")
    return user


@dataclass(frozen=True)
class PasswordUpgrade:
    """A stronger hash of a password just verified, replacing ``old_hash``."""

    user_id: int
    old_hash: str
    new: NewPassword


def password_upgrade(user: User, password: str) -> PasswordUpgrade | None:
    """After a successful log-in: a new hash when the costs changed since (before the transaction)."""
    if not needs_rehash(user.password_hash):
        return None
    return PasswordUpgrade(user.id, user.password_hash, new_password(password))


def apply_password_upgrade(user: User, upgrade: PasswordUpgrade) -> None:
    """Store an upgraded hash, unless the password changed meanwhile (then keep the new one)."""
    if user.id == upgrade.user_id and user.password_hash == upgrade.old_hash:
        user.password_hash = upgrade.new.hash


# --- API tokens ------------------------------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Issue a bearer token for ``user``; returns the only copy of the clear token."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_sha256(clear), name=name[:120]))
    db.session.flush()
    return clear


@functools.cache
def _token_query():
    """Built once (its cache key too), as every API request runs it: the hash is bound. The
    user alone is read (the token's own columns are not needed to sign in)."""
    return (
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
    )


def user_for_token(clear: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not clear or not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    user = db.session.scalar(_token_query(), {"token_hash": _sha256(clear)})
    if user is None or not user.is_active:
        return None
    return user


def revoke_api_token(clear: str) -> None:
    db.session.execute(sa.delete(ApiToken).where(ApiToken.token_hash == _sha256(clear)))


# --- password reset --------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password or the address changes: a used link stops working, and so
    # does a link mailed to an address the account no longer has.
    return _sha256(f"{user.password_hash}:{user.email}")[:16]


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


def reset_password(token: str, password: NewPassword) -> User:
    """Set a new password from a reset link, once; logs out every other session."""
    user = user_for_reset_token(token)
    _set_password(user, password)
    return user


def _set_password(user: User, password: NewPassword) -> None:
    user.password_hash = _hashed(password)
    end_sessions(user)
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))


# --- profile ---------------------------------------------------------------------------------


def end_sessions(user: User) -> None:
    """Every browser session and remember-me cookie of the user stops working (API tokens stay).

    The session and the cookie carry the version they were made with (``User.get_id``).
    """
    user.session_version += 1


def change_password(user: User, check: PasswordCheck, password: NewPassword) -> None:
    """Change the password; other sessions and API tokens stop working."""
    _require_password(user, check)
    _set_password(user, password)


def change_email(user: User, check: PasswordCheck, new_email: str) -> None:
    """Change the address after checking the password; the old address is told.

    Reset links mailed before stop working (they name the old address).
    """
    _require_password(user, check)
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


def delete_account(user: User, check: PasswordCheck) -> None:
    """Remove personal data and keep an anonymous row, so bookings stay consistent.

    Raises Conflict(invalid_state) while the user is the only owner of an organisation that has
    other members: ownership must be handed over first.
    """
    _require_password(user, check)
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
