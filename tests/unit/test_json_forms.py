"""JSON bodies validated by the same WTForms classes as the pages (nested objects and lists)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Optional

from spaces.errors import Invalid
from spaces.forms import BaseForm, NumberRange, choices, form_from_json


class PricesForm(BaseForm):
    class Meta:
        csrf = False

    hour = IntegerField(validators=[Optional(), NumberRange(min=0)])
    day = IntegerField(validators=[Optional(), NumberRange(min=0)])


class WindowForm(BaseForm):
    class Meta:
        csrf = False

    weekday = IntegerField(validators=[DataRequired(), NumberRange(min=0, max=6)])


class SampleForm(BaseForm):
    name = StringField(validators=[DataRequired()])
    free = BooleanField()
    prices = FormField(PricesForm)
    windows = FieldList(FormField(WindowForm))
    services = SelectMultipleField(choices=choices([("wifi", "Wi-Fi"), ("printer", "Printer")]))


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "x"
    Babel(app)
    with app.test_request_context():
        yield


def test_nested_objects_lists_and_booleans_are_read():
    form = form_from_json(
        SampleForm,
        {
            "name": "Desk",
            "free": True,
            "prices": {"hour": 400, "day": 2500},
            "windows": [{"weekday": 1}, {"weekday": 3}],
            "services": ["wifi"],
        },
    )
    assert form.name.data == "Desk"
    assert form.free.data is True
    assert form.prices.hour.data == 400 and form.prices.day.data == 2500
    assert [w.weekday.data for w in form.windows] == [1, 3]
    assert form.services.data == ["wifi"]


def test_errors_name_json_paths():
    with pytest.raises(Invalid) as caught:
        form_from_json(
            SampleForm,
            {
                "name": "",
                "prices": {"hour": -1},
                "windows": [{"weekday": 9}],
                "services": ["sauna"],
            },
        )
    fields = caught.value.fields
    assert set(fields) == {"name", "prices.hour", "windows.0.weekday", "services"}


def test_wrong_shapes_are_field_errors_not_crashes():
    with pytest.raises(Invalid) as caught:
        form_from_json(
            SampleForm,
            {"name": {"a": 1}, "prices": 5, "windows": {"weekday": 1}, "services": "wifi"},
        )
    assert set(caught.value.fields) == {"name", "prices", "windows", "services"}


def test_body_must_be_an_object():
    with pytest.raises(Invalid):
        form_from_json(SampleForm, ["name"])


def test_false_boolean_and_null_mean_absent():
    form = form_from_json(SampleForm, {"name": "x", "free": False, "prices": None})
    assert form.free.data is False
    assert form.prices.hour.data is None
