"""What a browser would send back for a page's form: for tests that resubmit a rendered form."""

from __future__ import annotations

from html.parser import HTMLParser


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
