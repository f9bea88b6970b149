"""One definition of each input's rules, shared by the pages and the JSON API.

Pages use the WTForms classes as usual (with CSRF). The API feeds a JSON object through
``form_from_json``: nested objects map to ``FormField`` (``prices.hour`` ↔ ``prices-hour``), lists
to ``FieldList`` or multi-selects, and the same validators run; errors become a 422 whose
``fields`` name the JSON paths.
"""

from __future__ import annotations

import contextvars
import functools
import math
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms import i18n as wtforms_i18n
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from spaces.errors import Invalid, NotFound
from spaces.text import control_characters

F = TypeVar("F", bound=Form)

# True while a JSON body is validated: money then comes in integer cents, not typed euros.
_JSON_INPUT: contextvars.ContextVar[bool] = contextvars.ContextVar("json_input", default=False)


MAX_TYPED_EUROS = Decimal(10) ** 12  # beyond any price or budget: refused as "not an amount"


def typed_euros(text: str) -> Decimal | None:
    """An amount as people type it ("4,50", "22.5 €", "1 200"), or None when it is not one.

    Spaces (plain, no-break, narrow no-break) and the euro sign are ignored; a comma is a
    decimal point. Callers apply their own bounds and rounding."""
    cleaned = text.strip()[:40]
    for ignored in ("\u202f", "\xa0", " ", "€"):
        cleaned = cleaned.replace(ignored, "")
    try:
        amount = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None
    # "Infinity", "NaN", "1e309": no amount (and no comparison or int() of them may raise).
    if not amount.is_finite() or abs(amount) >= MAX_TYPED_EUROS:
        return None
    return amount


class NumberRange(validators.NumberRange):  # noqa: TID251 (the one subclass)
    """WTForms' ``NumberRange``, which raises OverflowError (``math.isnan``) on an integer too
    large for a float — any digits typed into an IntegerField: such a number is out of range,
    with the same message; and which adds "must be between" to "not a number". Every form uses
    this one (ruff bans WTForms')."""

    def __call__(self, form, field):
        if field.process_errors:  # not a number at all: that message alone ("1.5", "douze")
            return
        data = field.data
        if isinstance(data, int) and not -(2**53) <= data <= 2**53:
            field.data = math.inf if data > 0 else -math.inf  # out of range, either way
            try:
                super().__call__(form, field)  # no bound on that side: another validator's
            finally:
                field.data = data
            return
        super().__call__(form, field)


class MoneyField(IntegerField):
    """An amount in integer cents. The API sends cents (``450``); people type euros (``4,50``)."""

    # A text input: a number input would blank "4,50" (a decimal comma) in the browser.
    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        if _JSON_INPUT.get():
            try:
                self.data = int(raw)
            except ValueError as exc:
                self.data = None
                raise ValueError(str(_l("Give an amount in cents (a whole number)."))) from exc
            return
        euros = typed_euros(raw)
        if euros is None:
            self.data = None
            raise ValueError(str(_l("Give an amount in euros, e.g. 4,50.")))
        cents = euros * 100
        if cents != cents.to_integral_value():
            self.data = None
            raise ValueError(str(_l("Give an amount in euros, e.g. 4,50.")))
        self.data = int(cents)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{Decimal(self.data) / 100:.2f}".replace(".", ",")


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def single_line(form, field) -> None:
    """Validator: one line of text, no control characters."""
    if isinstance(field.data, str) and control_characters(field.data):
        raise ValidationError(
            _l("Remove the line breaks and other control characters: this field is one line.")
        )


def multi_line(form, field) -> None:
    """Validator: text over several lines, without other control characters."""
    if isinstance(field.data, str) and control_characters(field.data, multiline=True):
        raise ValidationError(_l("Remove the control characters (line breaks and tabs are fine)."))


def _text_rule(field: Field):
    if isinstance(field, PasswordField) or field.name == "csrf_token":
        return None  # never shown, never in a header
    if isinstance(field, TextAreaField):
        return multi_line
    if isinstance(field, StringField):
        return single_line
    return None


MAX_ID = 2**31 - 1  # the databases' integer ids


def _refuse_absurd_ids(form: Form) -> None:
    """An id (a field named ``id`` or ``*_id``) beyond any the database can hold names nothing:
    a 404, as for any unknown id (shared/API.md), never an overflow in the database driver."""
    for name, field in form._fields.items():
        if not (name == "id" or name.endswith("_id")) or not isinstance(field, IntegerField):
            continue
        if isinstance(field.data, int) and not -MAX_ID <= field.data <= MAX_ID:
            raise NotFound()


class _TranslatedMeta:
    def get_translations(self, form):
        """WTForms' own messages in the current language, each catalogue loaded once per
        process (Flask-WTF loads it from disk again in every request)."""
        return _CurrentTranslations()


class SubForm(Form):
    """Base for a form nested in another (``FormField``, ``FieldList``) or read from a query
    string: WTForms' own messages in the current language, as ``BaseForm``'s (a plain ``Form``
    speaks English whatever the page's language)."""

    class Meta(_TranslatedMeta):
        pass


class BaseForm(FlaskForm):
    """Base for every form: CSRF on for pages (switched off by ``form_from_json``).

    Every text field of every form refuses control characters: one-line fields (names, e-mail
    addresses, URLs...) all of them, text areas all but line breaks and tabs. Pages and the API
    share this, through ``validate``. An absurd id is a 404 (``_refuse_absurd_ids``).

    ``extra_errors`` holds errors that belong to no single field (e.g. a whole nested object).
    """

    extra_errors: dict[str, list] = {}

    class Meta(_TranslatedMeta):
        pass

    def validate(self, extra_validators=None) -> bool:
        _refuse_absurd_ids(self)
        extra = {name: list(rules) for name, rules in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            rule = _text_rule(field)
            if rule is not None:
                extra.setdefault(name, []).append(rule)
        return super().validate(extra_validators=extra)


@functools.lru_cache(maxsize=8)
def _wtforms_translations(locale: str):
    return wtforms_i18n.get_translations([locale])


class _CurrentTranslations:
    """WTForms' catalogue of the current language, chosen at the first message of a form."""

    __slots__ = ("_catalogue",)

    def __init__(self) -> None:
        self._catalogue = None

    def _load(self):
        from spaces.i18n import current_locale

        self._catalogue = _wtforms_translations(str(current_locale()))
        return self._catalogue

    def gettext(self, message: str) -> str:
        return (self._catalogue or self._load()).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return (self._catalogue or self._load()).ngettext(singular, plural, n)


# A form class's fields as ``_flatten`` reads them: (name, kind, sub-shape) with kind one of
# "form" (a FormField), "list" (a FieldList; its sub-shape is its entries' form's, or None for
# scalar entries), "multi" (a SelectMultipleField) and "scalar". Taken once per class from an
# empty instance: fields are declared on the class.
_Shape = tuple[tuple[str, str, "_Shape | None"], ...]


@functools.cache
def _shape(form_class: type[Form]) -> _Shape:
    return _shape_of(form_class(formdata=None, meta={"csrf": False}))


def _shape_of(form: Form) -> _Shape:
    shape = []
    for name, field in form._fields.items():
        if name == "csrf_token":
            continue
        if isinstance(field, FormField):
            shape.append((name, "form", _shape_of(field.form)))
        elif isinstance(field, FieldList):
            unbound = field.unbound_field
            sub = None
            if issubclass(unbound.field_class, FormField):
                sub = _shape(unbound.kwargs.get("form_class") or unbound.args[0])
            shape.append((name, "list", sub))
        elif isinstance(field, SelectMultipleField):
            shape.append((name, "multi", None))
        else:
            shape.append((name, "scalar", None))
    return tuple(shape)


def _flatten(shape: _Shape, payload: dict, prefix: str, out: MultiDict, type_errors: dict) -> None:
    for name, kind, sub in shape:
        if name not in payload:
            continue
        value = payload[name]
        key = f"{prefix}{name}"
        path = key.replace("-", ".")
        if value is None:
            continue
        if kind == "form":
            if not isinstance(value, dict):
                type_errors[path] = [_l("Must be an object.")]
                continue
            _flatten(sub, value, f"{key}-", out, type_errors)
        elif kind == "list":
            if not isinstance(value, list):
                type_errors[path] = [_l("Must be a list.")]
                continue
            for index, item in enumerate(value):
                item_key = f"{key}-{index}"
                if sub is not None:
                    if not isinstance(item, dict):
                        type_errors[f"{path}.{index}"] = [_l("Must be an object.")]
                        continue
                    _flatten(sub, item, f"{item_key}-", out, type_errors)
                else:
                    _put_scalar(out, item_key, item, f"{path}.{index}", type_errors)
        elif kind == "multi":
            items = value if isinstance(value, list) else None
            if items is None:
                type_errors[path] = [_l("Must be a list.")]
                continue
            for item in items:
                _put_scalar(out, key, item, path, type_errors)
        else:
            _put_scalar(out, key, value, path, type_errors)


def _put_scalar(out: MultiDict, key: str, value: Any, path: str, type_errors: dict) -> None:
    if isinstance(value, bool):
        if value:
            out.add(key, "y")
    elif isinstance(value, str) and "\x00" in value:
        type_errors[path] = [_l("Contains a forbidden character.")]
    elif isinstance(value, int | float | str):
        out.add(key, str(value))
    else:
        type_errors[path] = [_l("Not a valid value.")]


def flatten_errors(errors: dict, prefix: str = "") -> dict[str, list]:
    """WTForms' nested error dict → ``{"prices.hour": [...], "repeat.weekdays": [...]}``."""
    flat: dict[str, list] = {}
    for name, value in errors.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten_errors(value, f"{path}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict | list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    flat.update(flatten_errors(item, f"{path}.{index}."))
                elif item:
                    flat[f"{path}.{index}"] = [str(m) for m in item]
        elif value:
            flat[path] = [str(m) for m in value]
    return flat


def form_from_json(form_class: type[F], payload: Any, **kwargs) -> F:
    """Validate a JSON object with a form class; raises Invalid (422) listing the fields."""
    if not isinstance(payload, dict):
        raise Invalid(_l("The body must be a JSON object."), code="invalid_body")
    token = _JSON_INPUT.set(True)
    try:
        # The fields' shape: the class's, remembered; an instance's when built with arguments.
        shape = (
            _shape_of(form_class(formdata=None, meta={"csrf": False}, **kwargs))
            if kwargs
            else _shape(form_class)
        )
        formdata: MultiDict = MultiDict()
        type_errors: dict[str, list] = {}
        _flatten(shape, payload, "", formdata, type_errors)
        form = form_class(formdata=formdata, meta={"csrf": False}, **kwargs)
        valid = form.validate()
    finally:
        _JSON_INPUT.reset(token)
    if type_errors or not valid:
        fields = flatten_errors(form.errors)
        for name, messages in getattr(form, "extra_errors", {}).items():
            fields.setdefault(name, []).extend(messages)
        fields.update(type_errors)
        raise Invalid(fields=fields)
    return form


def first_error(field: Field) -> str | None:
    return str(field.errors[0]) if field.errors else None


def _form_field(form: Form, path: str) -> Field | None:
    """The field a domain error names: ``commune``, or ``prices.hour`` inside a FormField."""
    target: Any = form
    for part in path.split("."):
        target = getattr(getattr(target, "form", target), part, None)
        if target is None:
            return None
    return None if hasattr(target, "form") else target


def attach_errors(form: Form, error, shown: tuple[str, ...] | None = None) -> list[str]:
    """Put a domain error's field messages next to the fields they name; return the others.

    What comes back has no field to go to: messages for a name the form does not have (or, when
    ``shown`` lists the fields a page displays, one it does not display), and the error's own
    message when it names no field. Pages show these at the top of the form.
    """
    leftover: list[str] = []
    for name, messages in (error.fields or {}).items():
        target = _form_field(form, name)
        if target is None or (shown is not None and name not in shown):
            leftover.extend(str(m) for m in messages)
        else:
            target.errors = [*target.errors, *(str(m) for m in messages)]
    if not error.fields:
        leftover.append(str(error.message))
    return leftover
