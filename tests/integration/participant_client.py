"""A participant as an HTTP client sees the pages: forms read from the HTML, as a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

from tests.conftest import TLS


@dataclass
class ParsedPage:
    status: int
    url: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    title: str = ""
    h1: str = ""
    forms: list[dict[str, str]] = field(default_factory=list)  # action, method
    # radio groups: name → values in order; checked: name → value
    radios: dict[str, list[str]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)
    fieldsets: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    progress: tuple[int, int] | None = None

    @property
    def item_ids(self) -> list[str]:
        return [name.removeprefix("answer:") for name in self.radios]

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html))


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._capture: str | None = None
        self._alert_depth = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag in ("title", "h1"):
            self._capture, self._buffer = tag, []
        if tag == "form":
            self.page.forms.append({"action": a.get("action", ""), "method": a.get("method", "")})
        if tag == "fieldset" and "id" in a:
            self.page.fieldsets.append(a["id"])
        if tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        if tag == "progress":
            self.page.progress = (int(a["value"]), int(a["max"]))
        if a.get("role") == "alert":
            self._alert_depth = 1
            self._buffer = []
        elif self._alert_depth and tag not in ("br", "input", "img"):
            self._alert_depth += 1
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "radio":
                self.page.radios.setdefault(a["name"], []).append(a["value"])
                if "checked" in a:
                    self.page.checked[a["name"]] = a["value"]
            elif kind == "hidden":
                self.page.hidden[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if self._capture == tag:
            text = " ".join("".join(self._buffer).split())
            setattr(self.page, tag, text)
            self._capture = None
        if self._alert_depth:
            self._alert_depth -= 1
            if self._alert_depth == 0:
                self.page.alerts.append(" ".join("".join(self._buffer).split()))

    def handle_data(self, data: str) -> None:
        if self._capture or self._alert_depth:
            self._buffer.append(data)


def parse(response: httpx.Response) -> ParsedPage:
    page = ParsedPage(
        status=response.status_code,
        url=str(response.url),
        html=response.text,
        headers=dict(response.headers),
    )
    _Parser(page).feed(response.text)
    return page


class Participant:
    """One participant's browser without JavaScript: follows redirects, sends forms."""

    def __init__(self, base_url: str, token: str, **client_options: object) -> None:
        self.token = token
        self.client = httpx.Client(base_url=base_url, timeout=15, **client_options, verify=TLS)  # type: ignore[arg-type]

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Participant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def path(self, *parts: object) -> str:
        return "/".join([f"/a/{self.token}", *(str(part) for part in parts)])

    def open(self, path: str | None = None) -> ParsedPage:
        return parse(self.client.get(path or self.path(), follow_redirects=True))

    def post(self, path: str, data: dict[str, str], *, follow: bool = True) -> ParsedPage:
        response = self.client.post(path, data=data, follow_redirects=follow)
        return parse(response)

    def consent(self) -> ParsedPage:
        return self.post(self.path("consent"), {"consent": "yes"})

    def send_page(self, page: ParsedPage, answers: dict[str, str], nav: str = "next") -> ParsedPage:
        """Fill in `answers` (item id → value) on a question page and press Next or Back."""
        data = {"stamp": page.hidden.get("stamp", ""), "active": "", "nav": nav}
        data.update({f"answer:{item_id}": value for item_id, value in answers.items()})
        return self.post(page.forms[0]["action"], data)


def first_values(page: ParsedPage) -> dict[str, str]:
    """Every item on the page answered with a value it offers (the middle one)."""
    return {
        name.removeprefix("answer:"): values[len(values) // 2]
        for name, values in page.radios.items()
    }
