"""The fake web: pages, a keyword search index and the canned model behaviour per question.

Everything here is plain data so a reader can see exactly what the fake
"knows". Facts are real (release dates, capitals) so that an answer recorded
against the real APIs should satisfy the same test assertions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = ["PAGES", "SCENARIOS", "Page", "Scenario", "find_scenario", "page_for_text", "search"]


@dataclass(frozen=True)
class Page:
    """One fake web page."""

    url: str
    title: str
    keywords: tuple[str, ...]
    paragraphs: tuple[str, ...]
    summary: str
    """What the fake model answers when asked to summarise this page."""

    @property
    def marker(self) -> str:
        """The first sentence of the body: present in any prompt that quotes the page text."""
        return self.paragraphs[0].split(". ")[0]

    def html(self) -> str:
        """The page as a small but typical HTML document (navigation and footer included)."""
        body = "\n".join(f"    <p>{html.escape(p)}</p>" for p in self.paragraphs)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
            f'  <meta charset="utf-8">\n  <title>{html.escape(self.title)}</title>\n'
            "  <script>window.analytics = window.analytics || [];</script>\n"
            "  <style>body { font-family: sans-serif; }</style>\n</head>\n<body>\n"
            '  <nav><a href="/">Home</a> | <a href="/docs">Docs</a> | <a href="/blog">Blog</a></nav>\n'
            f"  <main>\n    <h1>{html.escape(self.title)}</h1>\n{body}\n  </main>\n"
            "  <footer>Content available under the terms of its licence. Privacy policy.</footer>\n"
            "</body>\n</html>\n"
        )

    def snippet(self) -> str:
        """The search-result snippet: the first two sentences."""
        return ". ".join(self.paragraphs[0].split(". ")[:2]).rstrip(".") + "."


@dataclass(frozen=True)
class Scenario:
    """How the fake model behaves for one research question."""

    name: str
    match: tuple[str, ...]
    """Lower-case fragments that must all occur in the question."""
    queries: tuple[str, ...]
    """The web_search calls the model asks for, one per step; empty: it answers at once."""
    answer: str
    """The final answer (written by the model once the searches are done)."""


_PEP_SCHEDULES = (
    ("3.8", "0569", "14 October 2019", "Łukasz Langa", "assignment expressions (the walrus operator)"),
    ("3.9", "0596", "5 October 2020", "Łukasz Langa", "dictionary union operators and the new PEG parser"),
    ("3.10", "0619", "4 October 2021", "Pablo Galindo Salgado", "structural pattern matching"),
    ("3.11", "0664", "24 October 2022", "Pablo Galindo Salgado", "a faster interpreter and exception groups"),
    ("3.12", "0693", "2 October 2023", "Thomas Wouters", "a more flexible f-string grammar"),
    ("3.13", "0719", "7 October 2024", "Thomas Wouters", "an experimental free-threaded build"),
    ("3.14", "0745", "7 October 2025", "Hugo van Kemenade", "template strings and deferred annotations"),
)


def _schedule_page(version: str, pep: str, date: str, manager: str, feature: str) -> Page:
    return Page(
        url=f"https://peps.python.org/pep-{pep}/",
        title=f"PEP {int(pep)} – Python {version} Release Schedule",
        keywords=("python", version, "release", "schedule", "date", "cpython", "pep"),
        paragraphs=(
            f"This document describes the development and release schedule for Python {version}. "
            f"The schedule primarily concerns itself with PEP-sized items. "
            f"The release manager for Python {version} is {manager}.",
            f"Python {version}.0 final was released on {date}. Bug fix releases followed roughly every "
            "two months, and the version receives security fixes for five years after its first release.",
            f"Notable features of Python {version} include {feature}. Small features may be added up to "
            "the first beta release; after that, only bug fixes are accepted for this version.",
            "Actual release dates may differ from the planned ones. The release manager announces each "
            "release on the Python Discourse and on the python.org downloads page.",
        ),
        summary=f"PEP {int(pep)} gives the Python {version} schedule: {version}.0 final was released on "
        f"{date}, with {manager} as release manager. Headline feature: {feature}.",
    )


PAGES: tuple[Page, ...] = (
    Page(
        url="https://docs.python.org/3/whatsnew/3.0.html",
        title="What's New In Python 3.0",
        keywords=("python", "3.0", "python 3", "release", "date", "whatsnew", "changes"),
        paragraphs=(
            "This article explains the new features in Python 3.0, compared to 2.6. Python 3.0, also "
            "known as Python 3000 or Py3K, is the first ever intentionally backwards incompatible Python "
            "release. Python 3.0 was released on December 3, 2008.",
            "There are more changes than in a typical release, and more that are important for all "
            "Python users. Nevertheless, after digesting the changes, you will find that Python really "
            "has not changed all that much: by and large, we are mostly fixing well-known annoyances "
            "and warts, and removing a lot of old cruft.",
            "The print statement has been replaced with a print() function. Views and iterators replace "
            "lists in several APIs: dict.keys(), dict.items() and dict.values() return views, and map() "
            "and filter() return iterators. The ordering comparisons raise TypeError when the operands "
            "have no meaningful natural ordering.",
            "Text and data replace Unicode and 8-bit strings: all text is Unicode, and encoded Unicode "
            "is represented as binary data. The type used to hold text is str, the type used to hold "
            "data is bytes.",
        ),
        summary="Python 3.0 (Py3K) was released on December 3, 2008 as the first intentionally "
        "backwards-incompatible Python release: print became a function, text became Unicode str "
        "and binary data became bytes.",
    ),
    Page(
        url="https://en.wikipedia.org/wiki/History_of_Python",
        title="History of Python - Wikipedia",
        keywords=("python", "history", "3.0", "python 3", "release", "date", "guido"),
        paragraphs=(
            "The programming language Python was conceived in the late 1980s, and its implementation was "
            "started in December 1989 by Guido van Rossum at CWI in the Netherlands. Python 2.0 was "
            "released on 16 October 2000, with many major new features such as cycle-detecting garbage "
            "collection and support for Unicode.",
            "Python 3.0, a major, backwards-incompatible release, was released on 3 December 2008 after "
            "a long period of testing. Many of its major features were also backported to the "
            "backwards-compatible Python 2.6 and 2.7.",
            "Python 2.7's end-of-life date was initially set for 2015, then postponed to 2020 out of "
            "concern that a large body of existing code could not easily be forward-ported to Python 3. "
            "The final Python 2 release, 2.7.18, came out in April 2020.",
        ),
        summary="Python was started by Guido van Rossum in December 1989; Python 2.0 came out in "
        "October 2000 and the backwards-incompatible Python 3.0 on 3 December 2008. Python 2 reached "
        "end of life in 2020.",
    ),
    Page(
        url="https://peps.python.org/pep-0361/",
        title="PEP 361 – Python 2.6 and 3.0 Release Schedule",
        keywords=("python", "3.0", "2.6", "release", "schedule", "date", "pep"),
        paragraphs=(
            "This document describes the development and release schedule for Python 2.6 and 3.0. The "
            "schedule primarily concerns itself with PEP-sized items. Small features may be added up to "
            "and including the first beta release.",
            "Python 2.6 final was released on October 1, 2008, and Python 3.0 final followed on "
            "December 3, 2008. The two releases were developed in parallel so that 2.6 could warn "
            "about features that would change in 3.0.",
            "Barry Warsaw was the release manager for both releases. Release candidates were published "
            "on the python.org downloads page and announced on the python-dev mailing list.",
        ),
        summary="PEP 361 scheduled Python 2.6 and 3.0 together: 2.6 final shipped on October 1, 2008 "
        "and 3.0 final on December 3, 2008, with Barry Warsaw as release manager.",
    ),
    Page(
        url="https://blog.rust-lang.org/2015/05/15/Rust-1.0.html",
        title="Announcing Rust 1.0 | Rust Blog",
        keywords=("rust", "1.0", "release", "date", "stable", "announcing"),
        paragraphs=(
            "Today we are very proud to announce the 1.0 release of Rust, a new programming language "
            "aiming to make it easier to build reliable, efficient systems. Rust 1.0 was released on "
            "May 15, 2015.",
            "The 1.0 release marks the end of that churn. This release is the official beginning of our "
            "commitment to stability, and as such it offers a firm foundation for building applications "
            "and libraries.",
            "Rust combines low-level control over performance with high-level convenience and safety "
            "guarantees. Better yet, it achieves these goals without requiring a garbage collector or "
            "runtime.",
        ),
        summary="The Rust team announced Rust 1.0, the first stable release, on May 15, 2015, starting "
        "its commitment to backwards stability.",
    ),
    Page(
        url="https://go.dev/blog/go1",
        title="Go version 1 is released - The Go Programming Language",
        keywords=("go", "golang", "1.0", "go 1", "release", "date", "stable"),
        paragraphs=(
            "Today marks a major milestone in the development of the Go programming language. We are "
            "announcing Go version 1, or Go 1 for short, which defines a language and a set of core "
            "libraries to provide a stable foundation for creating reliable products. Go 1 was released "
            "on March 28, 2012.",
            "A key feature of Go 1 is this stability guarantee: code that compiles in Go 1 should, with "
            "few exceptions, continue to compile and run throughout the lifetime of that version.",
            "Go 1 is available as binary distributions for Linux, FreeBSD, Mac OS X and Windows, and as "
            "part of Google App Engine.",
        ),
        summary="Go 1, the first stable version of Go with a compatibility guarantee, was released on "
        "March 28, 2012.",
    ),
    Page(
        url="https://en.wikipedia.org/wiki/Go_(programming_language)",
        title="Go (programming language) - Wikipedia",
        keywords=("go", "golang", "google", "release", "date", "1.0"),
        paragraphs=(
            "Go is a high-level general purpose programming language that is statically typed and "
            "compiled. It was designed at Google in 2007 by Robert Griesemer, Rob Pike and Ken Thompson, "
            "and publicly announced in November 2009.",
            "Version 1.0 was released in March 2012. Go is widely used in production at Google and in "
            "many other organizations and open-source projects.",
        ),
        summary="Go was designed at Google in 2007, announced in November 2009, and reached version "
        "1.0 in March 2012.",
    ),
    Page(
        url="https://en.wikipedia.org/wiki/Rust_(programming_language)",
        title="Rust (programming language) - Wikipedia",
        keywords=("rust", "mozilla", "release", "date", "1.0"),
        paragraphs=(
            "Rust is a general-purpose programming language emphasizing performance, type safety and "
            "concurrency. It began as a personal project of Graydon Hoare in 2006 and was sponsored by "
            "Mozilla from 2009.",
            "The first stable release, Rust 1.0, was published on May 15, 2015. Following the release "
            "of 1.0, stable point releases are delivered every six weeks.",
        ),
        summary="Rust started in 2006 as Graydon Hoare's project, was sponsored by Mozilla from 2009 "
        "and shipped its first stable release, 1.0, on May 15, 2015.",
    ),
    Page(
        url="https://en.wikipedia.org/wiki/Canberra",
        title="Canberra - Wikipedia",
        keywords=("canberra", "capital", "australia", "city"),
        paragraphs=(
            "Canberra is the capital city of Australia. Founded following the federation of the colonies "
            "of Australia as the seat of government for the new nation, it is Australia's largest inland "
            "city.",
            "The site of Canberra was selected for the capital in 1908 as a compromise between rivals "
            "Sydney and Melbourne, Australia's two largest cities.",
        ),
        summary="Canberra is the capital of Australia, chosen in 1908 as a compromise between Sydney "
        "and Melbourne.",
    ),
    *(_schedule_page(*row) for row in _PEP_SCHEDULES),
)

_PAGES_BY_URL = {page.url: page for page in PAGES}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        name="every-cpython-release",
        match=("every", "cpython"),
        queries=tuple(f"Python {row[0]} release date" for row in _PEP_SCHEDULES),
        answer="Partial list from the release-schedule PEPs: "
        + "; ".join(f"Python {row[0]}.0: {row[2]}" for row in _PEP_SCHEDULES[:4])
        + ". The search stopped before every version was covered.",
    ),
    Scenario(
        name="python3-release",
        match=("python 3.0", "released"),
        queries=("Python 3.0 release date",),
        answer="Python 3.0 was released on 3 December 2008. It was the first intentionally "
        "backwards-incompatible Python release (print became a function, text became Unicode). "
        "Sources: docs.python.org, Wikipedia, PEP 361.",
    ),
    Scenario(
        name="rust-vs-go",
        match=("rust", "go", "first"),
        queries=("Rust 1.0 release date", "Go 1.0 release date"),
        answer="Go reached 1.0 first: Go 1 was released on 28 March 2012, while Rust 1.0 followed on "
        "15 May 2015, about three years later.",
    ),
    Scenario(
        name="fahrenheit",
        match=("fahrenheit", "celsius"),
        queries=(),
        answer="100 °F is 37.8 °C: (100 − 32) × 5/9 = 37.78.",
    ),
    Scenario(
        name="capital-australia",
        match=("capital", "australia"),
        queries=("capital of Australia",),
        answer="The capital of Australia is Canberra, chosen in 1908 as a compromise between Sydney "
        "and Melbourne.",
    ),
)

#: What the model answers to a question it has no script for.
UNKNOWN_ANSWER = "I could not find a definitive answer in the sources I searched."


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower()))


def search(query: str, max_results: int) -> list[tuple[Page, float]]:
    """Pages matching ``query`` best first, with a score in (0, 1]; ties keep the PAGES order."""
    wanted = _words(query)
    scored: list[tuple[int, int, Page]] = []
    for index, page in enumerate(PAGES):
        overlap = len(wanted & _words(" ".join(page.keywords)))
        if overlap:
            scored.append((-overlap, index, page))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(page, round(-neg / max(len(wanted), 1), 4)) for neg, _, page in scored[:max_results]]


def page_for_url(url: str) -> Page | None:
    """The page served at ``url``, if any."""
    return _PAGES_BY_URL.get(url)


def page_for_text(text: str) -> Page | None:
    """The page whose body is quoted in ``text`` (a summarisation request), if any."""
    for page in PAGES:
        if page.marker in text:
            return page
    return None


def find_scenario(question_text: str) -> Scenario | None:
    """The scenario whose fragments all occur in ``question_text``."""
    lowered = question_text.lower()
    for scenario in SCENARIOS:
        if all(fragment in lowered for fragment in scenario.match):
            return scenario
    return None
