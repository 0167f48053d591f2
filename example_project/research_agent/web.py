"""Web search (Tavily's REST API) and page fetching, over plain HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

__all__ = ["Page", "SearchResult", "fetch_page", "html_to_text", "web_search"]

USER_AGENT = "research-agent/1.0 (+https://github.com/example/research-agent)"


@dataclass(frozen=True)
class SearchResult:
    """One search hit."""

    url: str
    title: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Page:
    """A fetched page, reduced to its readable text."""

    url: str
    title: str
    text: str


def web_search(
    client: httpx2.Client, search_url: str, api_key: str, query: str, max_results: int
) -> list[SearchResult]:
    """POST the query to a Tavily-style ``/search`` endpoint."""
    response = client.post(
        search_url,
        headers={"Authorization": f"Bearer {api_key}"},
        json={"query": query, "search_depth": "basic", "max_results": max_results, "include_answer": False},
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return [
        SearchResult(
            url=r["url"], title=r.get("title", ""), snippet=r.get("content", ""), score=r.get("score", 0.0)
        )
        for r in data.get("results", [])
    ]


def fetch_page(client: httpx2.Client, url: str) -> Page:
    """GET ``url`` and extract its title and main text."""
    response = client.get(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html"}, follow_redirects=True
    )
    response.raise_for_status()
    title, text = html_to_text(response.text)
    return Page(url=url, title=title, text=text)


class _TextExtractor(HTMLParser):
    """Collects the title and the text of <main>/<article> (or <body>), minus navigation."""

    _SKIP = frozenset({"script", "style", "nav", "footer", "header", "noscript", "svg"})
    _BLOCK = frozenset({"p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote", "tr", "div"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._in_title = False
        self._skip_depth = 0
        self._main_depth = 0
        self.body_parts: list[str] = []
        self.main_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag == "title":
            self._in_title = True
        elif tag in ("main", "article"):
            self._main_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in ("main", "article") and self._main_depth:
            self._main_depth -= 1
        if tag in self._BLOCK:
            self.body_parts.append("\n")
            if self._main_depth:
                self.main_parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self.body_parts.append(data)
            if self._main_depth:
                self.main_parts.append(data)


def html_to_text(document: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML document; text keeps one line per block."""
    parser = _TextExtractor()
    parser.feed(document)
    parser.close()
    parts = parser.main_parts if "".join(parser.main_parts).strip() else parser.body_parts
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return " ".join(parser.title.split()), "\n".join(line for line in lines if line)
