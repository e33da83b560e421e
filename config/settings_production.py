"""The production profile: ``DJANGO_SETTINGS_MODULE=config.settings_production``.

Everything in ``config.settings`` (the same apps, middleware, Content-Security-Policy and
personal-data log filter), then what a server on the internet needs. ``manage.py check
--deploy`` reports nothing with it (tests/test_production_settings.py). docs/production.md
explains each variable; deploy/env.example lists them.

DEBUG off (the profile refuses to start with DEBUG=1); SECRET_KEY from the environment only
and strong (no local key file, no development key); ALLOWED_HOSTS set explicitly; HTTPS only:
a redirect to https (except /healthz and /metrics, which a monitor on the same machine asks
over plain HTTP), HSTS for a year with subdomains and preload, secure and HTTP-only cookies;
HTTPS as reported by the proxy in JFS_PROXY_SSL_HEADER; CSRF_TRUSTED_ORIGINS from the
environment; logs as JSON lines unless JFS_LOG_FORMAT says otherwise.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import DATABASES, LOGGING, STATIC_ROOT, env_bool

if env_bool("DEBUG", False):
    raise RuntimeError("DEBUG must be off in production (config.settings_production): unset DEBUG")
DEBUG = False
#: demo accounts share a published password and TOTP secret: never made on a production database
JFS_DEMO_DATA_ALLOWED = False


def _strong(key: str) -> bool:
    """Django's own test (security.W009): 50+ characters, 5+ distinct, not a generated placeholder."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not _strong(SECRET_KEY):
    raise RuntimeError(
        "SECRET_KEY must be set in the environment to 50 or more random characters in production, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
#: earlier keys, while rotating (sessions and signed values made with them stay valid)
SECRET_KEY_FALLBACKS = _list("SECRET_KEY_FALLBACKS")
if not all(_strong(key) for key in SECRET_KEY_FALLBACKS):
    raise RuntimeError("every key in SECRET_KEY_FALLBACKS must be as strong as SECRET_KEY")

#: the local simulators' credentials (config.settings' defaults: the digital-ID provider, the SMS and
#: LINE gateways) are published in this repository: production sets each one, and an https issuer
_PARTNER_CREDENTIALS = ("JFS_DIGITAL_ID_CLIENT_SECRET", "JFS_SMS_API_KEY", "JFS_SMS_API_SECRET", "JFS_LINE_CHANNEL_TOKEN")
if _unset := [name for name in _PARTNER_CREDENTIALS if not os.environ.get(name)]:
    raise RuntimeError("partner credentials must be set in production (the local simulators' defaults are public): "
                       + ", ".join(_unset))
if not os.environ.get("JFS_DIGITAL_ID_ISSUER", "").startswith("https://"):
    raise RuntimeError("JFS_DIGITAL_ID_ISSUER must be the digital-ID provider's https:// issuer in production")

if "ALLOWED_HOSTS" not in os.environ:
    raise RuntimeError("ALLOWED_HOSTS must be set in production: the site's host names, comma-separated")

#: e.g. "https://jfs.example.go.th" (comma-separated): origins allowed to POST, besides the host itself
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")
if any(not origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS):
    raise RuntimeError("CSRF_TRUSTED_ORIGINS must list https:// origins only")


def _meta_name(header: str) -> str:
    """ "X-Forwarded-Proto" or "HTTP_X_FORWARDED_PROTO" → "HTTP_X_FORWARDED_PROTO" (request.META's spelling)."""
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") else f"HTTP_{name}"


#: The header by which the proxy (nginx, which terminates TLS) tells Django a request came over
#: HTTPS. Trust it only when gunicorn can be reached through that proxy alone (it binds to
#: 127.0.0.1) and the proxy always overwrites the header (deploy/nginx/jfs.conf does). Empty:
#: no proxy header (then only a request that reached gunicorn over TLS would count as HTTPS).
PROXY_SSL_HEADER = os.environ.get("JFS_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_meta_name(PROXY_SSL_HEADER), "https") if PROXY_SSL_HEADER else None

SECURE_SSL_REDIRECT = True
#: a monitor or Prometheus on the same machine asks gunicorn directly, over plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True

#: collected static files, served by nginx (deploy/nginx/jfs.conf) from a folder it may read,
#: outside JFS_DATA_DIR, where the documents are (default: JFS_DATA_DIR/staticfiles)
STATIC_ROOT = Path(os.environ.get("JFS_STATIC_ROOT") or STATIC_ROOT)

# a connection kept between requests (DB_CONN_MAX_AGE) is checked before it is reused
DATABASES = copy.deepcopy(DATABASES)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

#: JSON lines for the log shipper by default (JFS_LOG_FORMAT=text for a person reading them)
LOG_FORMAT = os.environ.get("JFS_LOG_FORMAT", "json")
if LOG_FORMAT not in {"text", "json"}:
    raise RuntimeError(f'JFS_LOG_FORMAT must be "text" or "json", not {LOG_FORMAT!r}')
LOGGING = copy.deepcopy(LOGGING)
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]
