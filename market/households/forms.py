from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TelField

from market.forms import BaseForm
from market.households.models import HouseholdStatus
from market.labels import choices


class HouseholdForm(BaseForm):
    """What is typed is read by the operation (market/households/rules.py), whose errors come back beside their
    fields. No identity card number is asked for: none is kept."""

    household_number = StringField(_l("Household number"))
    head_name = StringField(_l("Head of household"))
    village_id = SelectField(_l("Village"), choices=[], validate_choice=False)
    members = StringField(_l("Members"))
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    year_lifted = StringField(_l("Year lifted"))
    phone = TelField(_l("Phone"))

    def __init__(self, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.village_id.choices = [(str(v.id), f"{v.township_zh} {v.name_zh}") for v in villages]
        self.status.choices = choices(HouseholdStatus)

    def fields(self) -> dict:
        return {name: self[name].data for name in ("household_number", "head_name", "village_id", "members",
                                                    "status", "year_lifted", "phone")}


class UploadForm(BaseForm):
    file = FileField(_l("XLSX file"))


class MappingForm(BaseForm):
    """Which column of the uploaded file holds what; the file itself stays on the server under `token`."""

    token = StringField()
    household_number = SelectField(_l("Household number"), choices=[], validate_choice=False)
    head_name = SelectField(_l("Head of household"), choices=[], validate_choice=False)
    village = SelectField(_l("Village"), choices=[], validate_choice=False)
    members = SelectField(_l("Members"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    year_lifted = SelectField(_l("Year lifted"), choices=[], validate_choice=False)
    phone = SelectField(_l("Phone"), choices=[], validate_choice=False)

    KEYS = ("household_number", "head_name", "village", "members", "status", "year_lifted", "phone")

    def offer(self, columns: list[tuple[int, str]]) -> None:
        options = [("", "—")] + [(str(index), header) for index, header in columns]
        for key in self.KEYS:
            self[key].choices = options

    def mapping(self) -> dict:
        return {key: self[key].data for key in self.KEYS}
