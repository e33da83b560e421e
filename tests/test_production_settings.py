"""The production profile (config/settings_production.py) and the Content-Security-Policy.

- ``manage.py check --deploy`` reports nothing under the production profile, which refuses to
  start without a strong secret key, with DEBUG on, or without ALLOWED_HOSTS;
- a response under it carries HSTS, the CSP and secure, HTTP-only cookies, and plain HTTP is
  redirected to HTTPS (the proxy's header says which requests came over HTTPS);
- every page, in every profile, has the CSP, and no template or rendered page has an inline
  script, an event-handler attribute, a style attribute or a <style> element (the CSP would
  block them); Swagger UI at /api/v1/docs is served from Django Ninja's bundled files.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.test.utils import override_settings

from jfs.accounts.models import User

ROOT = Path(django_settings.BASE_DIR)
STRONG_KEY = secrets.token_urlsafe(50)
HSTS = "max-age=31536000; includeSubDomains; preload"
CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}


#: the partners' credentials and the digital ID's issuer (production refuses the simulators' defaults)
PARTNERS = {"JFS_DIGITAL_ID_CLIENT_SECRET": "s" * 40, "JFS_SMS_API_KEY": "k" * 20, "JFS_SMS_API_SECRET": "t" * 30,
            "JFS_LINE_CHANNEL_TOKEN": "l" * 40, "JFS_DIGITAL_ID_ISSUER": "https://imauth.bora.dopa.go.th"}


def production_env(tmp_path: Path, **extra: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "JFS_TESTING", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS",
                        "JFS_LOG_FORMAT", "JFS_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS",
                        # the browser tests' conftest sets it for Playwright; a server never has it
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings_production", "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "jfs.example.go.th", "CSRF_TRUSTED_ORIGINS": "https://jfs.example.go.th",
        "JFS_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **PARTNERS,
    })
    with_removals: dict[str, str | None] = {**env, **extra}
    return {k: v for k, v in with_removals.items() if v is not None}


def run_python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- the deploy checks


def test_check_deploy_reports_nothing_under_the_production_profile(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_check_deploy_warns_about_the_development_profile(tmp_path: Path) -> None:
    """The same check does find problems without the profile (so the test above means something)."""
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout


def test_the_profile_s_settings(tmp_path: Path) -> None:
    code = ("from django.conf import settings as s; import json; print(json.dumps({"
            "'debug': s.DEBUG, 'proxy': s.SECURE_PROXY_SSL_HEADER, 'origins': s.CSRF_TRUSTED_ORIGINS,"
            "'formatter': s.LOGGING['handlers']['console']['formatter'], 'hsts': s.SECURE_HSTS_SECONDS,"
            "'exempt': s.SECURE_REDIRECT_EXEMPT, 'csp': 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE}))")
    result = run_python(production_env(tmp_path), code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "origins": ["https://jfs.example.go.th"],
        "formatter": "json", "hsts": 31536000, "exempt": ["^healthz$", "^metrics$"], "csp": True,
    }
    other = run_python(production_env(tmp_path, JFS_PROXY_SSL_HEADER="X-Forwarded-Ssl-Proto", JFS_LOG_FORMAT="text"),
                       code)
    assert other.returncode == 0, other.stderr
    data = json.loads(other.stdout)
    assert data["proxy"] == ["HTTP_X_FORWARDED_SSL_PROTO", "https"] and data["formatter"] == "text"


@pytest.mark.parametrize(("change", "message"), [
    ({"SECRET_KEY": "short-key"}, "SECRET_KEY must be set in the environment to 50 or more"),
    ({"SECRET_KEY": "django-insecure-" + STRONG_KEY}, "SECRET_KEY must be set in the environment"),
    ({"SECRET_KEY": "a" * 60}, "SECRET_KEY must be set in the environment"),
    ({"DEBUG": "1"}, "DEBUG must be off in production"),
    ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set in production"),
    ({"CSRF_TRUSTED_ORIGINS": "http://jfs.example.go.th"}, "CSRF_TRUSTED_ORIGINS must list https:// origins"),
    ({"JFS_LOG_FORMAT": "xml"}, "JFS_LOG_FORMAT must be"),
    ({"JFS_SMS_API_SECRET": None}, "partner credentials must be set in production"),
    ({"JFS_DIGITAL_ID_CLIENT_SECRET": None}, "JFS_DIGITAL_ID_CLIENT_SECRET"),
    ({"JFS_DIGITAL_ID_ISSUER": "http://127.0.0.1:8091"}, "JFS_DIGITAL_ID_ISSUER must be"),
])
def test_the_profile_refuses_to_start_misconfigured(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    env = production_env(tmp_path, **change)
    result = run_python(env, "print('started')")
    assert result.returncode != 0 and message in result.stderr, result.stderr[-2000:]


def test_the_local_key_file_is_not_a_production_key(tmp_path: Path) -> None:
    """A clone's var/secret_key (written by up.sh) is for development: production wants the environment's."""
    (tmp_path / "secret_key").write_text(STRONG_KEY)
    env = production_env(tmp_path, SECRET_KEY=None)
    result = run_python(env, "print('started')")
    assert result.returncode != 0 and "SECRET_KEY must be set in the environment" in result.stderr


# --------------------------------------------------------------------------- responses under the profile


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """This test process's settings with everything config/settings_production.py changes."""
    for name in ("DEBUG", "JFS_LOG_FORMAT", "JFS_PROXY_SSL_HEADER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("CSRF_TRUSTED_ORIGINS", "https://testserver")
    for name, value in PARTNERS.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(ROOT / "config" / "settings_production.py"))
    changed = {
        name: value for name, value in values.items()
        if name.isupper() and name not in {"DATABASES", "LOGGING", "LOG_FORMAT"}
        and getattr(django_settings, name, object()) != value
    }
    changed["ALLOWED_HOSTS"] = ["testserver"]
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "SECRET_KEY"} <= set(changed)
    with override_settings(**changed):
        yield changed


HTTPS = {"X-Forwarded-Proto": "https"}  # as nginx sends it


def assert_csp(response: Any) -> None:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: set(part.split()[1:]) for part in header.split(";") if part.strip()}
    assert directives == CSP, header


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production: dict[str, Any]) -> None:
    resp = Client().get("/accounts/login/?next=/staff/")
    assert resp.status_code == 301 and resp["Location"] == "https://testserver/accounts/login/?next=/staff/"
    assert Client().get("/healthz").status_code == 200  # monitors ask gunicorn directly


@pytest.mark.django_db
def test_https_pages_have_hsts_csp_and_secure_cookies(production: dict[str, Any], users: dict[str, User]) -> None:
    client = Client(headers=HTTPS)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == HSTS
    assert_csp(page)
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"

    signed_in = client.post("/accounts/login/", {"username": "officer.cm", "password": "demo-password-2569"})
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert signed_in["Strict-Transport-Security"] == HSTS
    assert_csp(signed_in)


@pytest.mark.django_db
def test_only_the_configured_header_makes_a_request_https(production: dict[str, Any]) -> None:
    assert Client(HTTP_X_FORWARDED_PROTO="http").get("/accounts/login/").status_code == 301
    assert Client(HTTP_X_FORWARDED_SCHEME="https").get("/accounts/login/").status_code == 301


# --------------------------------------------------------------------------- the CSP in every profile


@pytest.mark.django_db
def test_every_kind_of_page_has_the_csp_in_the_development_profile(staff_client: Client) -> None:
    for path, status in [("/accounts/login/", 200), ("/staff/", 200), ("/staff/requests/", 200),
                         ("/no-such-page/", 404), ("/api/v1/docs", 200), ("/healthz", 200)]:
        resp = staff_client.get(path)
        assert resp.status_code == status, path
        assert_csp(resp)


class _PageScan(HTMLParser):
    """Collects what the CSP would block: inline scripts, on* handlers, style attributes and elements."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False
        self.script_srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            if names.get("src"):
                self.script_srcs.append(names["src"] or "")
            elif (names.get("type") or "").lower() not in {"application/json", "application/ld+json"}:
                self._in_inline_script = True
                self.problems.append("<script> without src")
        if tag == "a" and (names.get("href") or "").strip().lower().startswith("javascript:"):
            self.problems.append("javascript: link")


def scan(html: str) -> _PageScan:
    parser = _PageScan()
    parser.feed(html)
    return parser


def template_files() -> list[Path]:
    """The templates of pages a browser is served. Not ``templates/pdf/``: those are rendered only
    into PDFs by WeasyPrint (jfs.core.pdf, offline, no script), whose CSS is in the document."""
    dirs = [ROOT / "templates", *sorted((ROOT / "jfs").glob("*/templates"))]
    return sorted(p for d in dirs for p in d.rglob("*.html") if (ROOT / "templates" / "pdf") not in p.parents)


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    files = template_files()
    assert len(files) > 15
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        # template tags inside attributes confuse an HTML parser less than a regex, but be sure
        # about handlers written as on…= anywhere in a tag, too
        found = scan(text).problems
        found += [f"handler {m.group(0)!r}" for m in re.finditer(r"<[^>]*\son[a-z]+\s*=", text)]
        found += [f"style attribute {m.group(0)!r}" for m in re.finditer(r"<[^>]*\sstyle\s*=", text)]
        problems += [f"{path.relative_to(ROOT)}: {p}" for p in found]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script(staff_client: Client, make_request: Callable[..., Any]) -> None:
    """Rendered, so that attributes form widgets get in Python are checked too."""
    req = make_request(assign_to="officer.cm")
    for path in ["/staff/", "/staff/requests/", "/staff/dashboard/", "/staff/overdue/", f"/staff/requests/{req.pk}/",
                 "/staff/requests/new/?service=LIT", "/staff/inbox/", "/api/v1/docs"]:
        resp = staff_client.get(path)
        assert resp.status_code == 200, path
        page = scan(resp.content.decode())
        assert not page.problems, (path, page.problems)
        assert page.script_srcs and all(src.startswith("/static/") for src in page.script_srcs), page.script_srcs
    assert not scan(Client().get("/accounts/login/").content.decode()).problems


@pytest.mark.django_db
def test_swagger_ui_comes_from_ninja_s_bundled_files(staff_client: Client) -> None:
    html = staff_client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui-init.js" in html
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{name}"), name  # collected with the rest by collectstatic


def test_htmx_is_told_not_to_inject_its_indicator_style() -> None:
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert meta and json.loads(meta.group(1))["includeIndicatorStyles"] is False
