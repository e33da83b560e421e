"""What a browser would send back for a page's form: for tests that resubmit a rendered form."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import new_national_id


class _Form(HTMLParser):
    """Named inputs, selected options and textareas, of the whole page or of the first
    ``<form class="{form_class}">``."""

    def __init__(self, form_class: str | None) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._form_class = form_class
        self._in_form = form_class is None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self._form_class is not None and a.get("class") == self._form_class:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            self.values[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form_class is not None:
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str, form_class: str | None = None) -> dict[str, str]:
    """The values a browser would submit (without the CSRF token); a textarea's first newline
    belongs to the markup, not the value."""
    parser = _Form(form_class)
    parser.feed(html)
    return {k: v[1:] if v.startswith("\n") else v for k, v in parser.values.items() if k != "csrfmiddlewaretoken"}


def registration_form_data(**overrides: str) -> dict[str, str]:
    """A new litigation request as the staff registration page posts it (a fresh valid national ID)."""
    data = {
        "service": "LIT", "office": "50",
        "a-national_id": new_national_id(), "a-title": "นาง", "a-first_name": "บุญเรือน", "a-last_name": "พิมพ์ไว้",
        "a-birth_date": "15/08/2530", "a-sex": "F", "a-house_no": "99/1 หมู่ 4",
        "a-province_code": "50", "a-district_code": "5001", "a-subdistrict_code": "500101",
        "a-phone": "053-123-456", "a-education": "primary", "a-occupation": "farmer",
        "a-monthly_income": "4500", "a-household_size": "3", "a-representative_type": "",
        "a-representative_name": "", "a-representative_national_id": "",
        "d-case_kind": "civil", "d-court": "ศาลจังหวัดเชียงใหม่", "d-case_number": "ผบ.77/2569",
        "d-party_role": "defendant", "d-cost_lawyer": "15000", "d-cost_court_fee": "0", "d-cost_expert": "0",
        "d-cost_travel": "0", "d-cost_other": "0",
    }
    data.update(overrides)
    return data
