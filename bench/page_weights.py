"""The weight of the portal's pages (issue 12: under 200 KB without the user's images): each page's
HTML plus every stylesheet, script and font it loads, as a first visit with an empty cache would
download them, uncompressed (a gzip-capable phone gets less). Signs in with a one-time code (read
back from the SMS gateway simulator) for the signed-in pages.

    .venv/bin/python bench/page_weights.py --host http://127.0.0.1:8000 --gateway http://127.0.0.1:8092 [--markdown]
"""

from __future__ import annotations

import argparse
import re
import time
from urllib.parse import urljoin

import httpx

LIMIT = 200 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
CSS_URL = re.compile(r"url\(\"?([^\")]+)\"?\)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PUBLIC = ["/", "/services/", "/services/BAIL/", "/offices/", "/help/", "/help/?q=ประกันตัว", "/privacy/",
          "/accessibility/", "/check/", "/check/BAIL/result/", "/sign-in/", "/sign-in/code/sms/", "/complaints/",
          "/consult/"]
SIGNED_IN = ["/apply/", "/my/requests/", "/my/inbox/", "/my/notifications/"]


def weigh(client: httpx.Client, host: str, path: str, seen_assets: dict[str, int]) -> tuple[int, int, int]:
    """(status, HTML bytes, HTML + assets bytes) of one page on a first visit."""
    resp = client.get(urljoin(host, path), follow_redirects=True)
    html = resp.content
    total = len(html)
    for src in dict.fromkeys(ASSET.findall(resp.text)):
        url = urljoin(str(resp.url), src)
        if url not in seen_assets:
            asset = client.get(url)
            size = len(asset.content)
            if src.endswith(".css") or "css" in asset.headers.get("content-type", ""):
                for font in dict.fromkeys(CSS_URL.findall(asset.text)):
                    if not font.startswith("data:"):
                        size += len(client.get(urljoin(url, font)).content)
            seen_assets[url] = size
        total += seen_assets[url]
    return resp.status_code, len(html), total


def sign_in(client: httpx.Client, host: str, gateway: str, phone: str) -> None:
    form = client.get(urljoin(host, "/sign-in/code/sms/"))
    token = CSRF.search(form.text)
    client.post(urljoin(host, "/sign-in/code/sms/"), data={"address": phone, "csrfmiddlewaretoken": token.group(1) if token else ""},
                headers={"Referer": urljoin(host, "/sign-in/code/sms/")})
    code = ""
    for _ in range(50):
        for m in reversed(httpx.get(f"{gateway}/__sim/messages", params={"service": "sms"}).json()["messages"]):
            if str(m.get("to", "")).endswith(phone[1:]):
                found = re.search(r"(\d{6})", str(m.get("text", "")))
                code = found.group(1) if found else ""
                break
        if code:
            break
        time.sleep(0.2)
    enter = client.get(urljoin(host, "/sign-in/code/"))
    token = CSRF.search(enter.text)
    client.post(urljoin(host, "/sign-in/code/"), data={"code": code, "csrfmiddlewaretoken": token.group(1) if token else ""},
                headers={"Referer": urljoin(host, "/sign-in/code/")})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="http://127.0.0.1:8000")
    ap.add_argument("--gateway", default="http://127.0.0.1:8092")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows: list[tuple[str, int, int, int]] = []
    with httpx.Client(timeout=30) as client:
        for path in PUBLIC:
            rows.append((path, *weigh(client, args.host, path, {})))
        sign_in(client, args.host, args.gateway, "0899990001")
        for path in SIGNED_IN:
            rows.append((path, *weigh(client, args.host, path, {})))
    heaviest = max(r[3] for r in rows)
    if args.markdown:
        print(f"Page weights (first visit, uncompressed HTML + CSS + fonts + scripts; limit 200 KB): heaviest "
              f"{heaviest / 1024:.0f} KB — **{'every page under the limit' if heaviest < LIMIT else 'OVER THE LIMIT'}**\n")
        print("| page | status | HTML KB | with CSS, fonts, scripts KB |")
        print("|---|---|---|---|")
        for path, status, html, total in rows:
            print(f"| `{path}` | {status} | {html / 1024:.1f} | {total / 1024:.1f} |")
    else:
        for path, status, html, total in rows:
            print(f"{path:32} {status} {html / 1024:7.1f} KB {total / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
