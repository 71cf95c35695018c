"""Credentials out of every URL the tool stores or prints.

A plan may give ``base_url = "http://user:SECRET@host:8000/v1?api_key=SECRET"``. The target still
connects with it as written; everything that is stored (plan.toml, session.sqlite, results.xlsx)
or printed (console lines, the event stream, error messages) shows it through :func:`redact_url`:
``http://user:***@host:8000/v1?api_key=***``. The user name stays where a password followed it,
so the record shows that credentials were used; a user part with no password (often a token
itself) becomes ``***``. Query parameters whose names look like keys, tokens, secrets, passwords,
signatures or credentials keep their names and lose their values. Everything else in the URL is
kept byte for byte.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<authority>[^/?#]*)(?P<rest>.*)$",
                  re.S)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
_SECRET_NAME = re.compile(r"key|token|secret|pass|pwd|auth|sig|credential|session|cookie",
                          re.I)


def secret_name(name: str) -> bool:
    """Whether a query parameter's (or field's) name says it holds a secret."""
    return bool(_SECRET_NAME.search(unquote(name)))


def _query(query: str) -> str:
    parts = re.split(r"([&;])", query)
    out = []
    for part in parts:
        name, eq, _ = part.partition("=")
        out.append(f"{name}={MASK}" if eq and secret_name(name) else part)
    return "".join(out)


def redact_url(url: str) -> str:
    """``url`` with its password (or a bare user part) and key-named query values masked."""
    m = _URL.match(url)
    if m is None:
        return url
    authority = m["authority"]
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        authority = f"{user}:{MASK}@{host}" if colon and user else f"{MASK}@{host}"
    rest = m["rest"]
    path, q, query = rest.partition("?")
    if q:
        query, h, fragment = query.partition("#")
        rest = f"{path}?{_query(query)}{h}{fragment}"
    return f"{m['scheme']}{authority}{rest}"


def redact_text(text: str) -> str:
    """``text`` with every URL in it passed through :func:`redact_url`."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
