"""--format html and --format markdown: the chart report, self-contained, escaped, and read in a real browser."""

from __future__ import annotations

import re
import shutil
import unicodedata
import subprocess
from html.parser import HTMLParser

import pytest

import cli
from interactions import DISCLAIMER
from interactions.engine import check
from interactions.reporters import html_format, markdown_format
from interactions.reporters.chart import link
from interactions.reporters.document import verdict
from interactions.severity import RANK

WHEN = "2026-03-04T05:06:07Z"
LIST = ["warfarin", "Diflucan", "oxycodone", "gabapentin", "lisinopril", "metformin 500 mg", "zoplicone"]
HOSTILE = '<script>alert("x")</script> & \x1b[2J\nSummary: no *interactions* [ok](http://example.org) | #1'


class Page(HTMLParser):
    """Tags with their attributes, and the text, of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in: list[str] = []
        self.decl = ""
        self.feed(html)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.decl = decl

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "style":
            self.style += data
        elif not (self._in and self._in[-1] == "title"):
            self.text.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def network_urls(page: Page) -> list[str]:
    """Every URL the page could fetch by itself: any src, any href except a reference's <a href>, CSS url() and @import."""
    out = [a[k] or "" for t, a in page.tags for k in ("src", "srcset", "data", "poster", "action") if k in a]
    out += [a["href"] or "" for t, a in page.tags if "href" in a and t != "a"]
    out += re.findall(r"url\(|@import", page.style)
    return out


def html_for(kb, meds=LIST, patient="MRN 004217", age=78, min_severity="minor") -> str:
    return html_format.render(check(meds, kb, age=age), kb, min_severity, patient, WHEN)


def test_the_page_is_self_contained_and_says_everything_the_chart_needs(kb):
    result = check(LIST, kb, age=78)
    page = Page(html_for(kb))
    assert page.decl.lower() == "doctype html" and page.named("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in page.named("meta")
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "video", "audio", "source", "form"):
        assert page.named(tag) == [], tag
    assert network_urls(page) == [] and len(page.named("style")) == 1 and "@media print" in page.style
    hrefs = [a["href"] for a in page.named("a")]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    text = page.all_text()
    for needed in ("MRN 004217", "78 years", WHEN, f"{kb.info['name']} {kb.info['version']}", verdict(result), DISCLAIMER,
                   "zoplicone", "did you mean zopiclone"):
        assert needed in text, needed
    assert text.index(verdict(result)) < text.index("Findings")  # the answer first
    for f in result.findings:
        assert f.rule_data["title"] in text and " ".join(f.rule_data["management"].split()) in text
    badges = [t for t in page.text if t.strip().upper() == t.strip() and t.strip().lower() in RANK]
    ranks = [RANK[b.strip().lower()] for b in badges]
    assert len(ranks) == len(result.findings) and ranks == sorted(ranks, reverse=True)  # most severe first
    ref_urls = {kb.references[r]["url"] for f in result.findings for r in f.rule_data["references"] if kb.references[r].get("url")}
    assert ref_urls <= set(hrefs)


def test_every_text_is_escaped(kb):
    html = html_for(kb, meds=[HOSTILE, "baclofen", "alcohol"], patient='<b onmouseover="x">P&1</b>')
    page = Page(html)
    assert page.named("script") == [] and page.named("b") == []
    assert [t for t, _ in page.tags if t not in ("html", "head", "meta", "title", "style", "body", "main", "header", "h1", "dl", "dt", "dd",
                                                 "time", "p", "section", "h2", "ul", "li", "strong", "article", "h3", "span", "ol", "a",
                                                 "table", "thead", "tr", "th", "tbody", "td", "footer")] == []
    joined = "".join(page.text)
    visible = '<script>alert("x")</script> & \\x1b[2J\\nSummary: no *interactions* [ok](http://example.org) | #1'
    assert visible in joined and '<b onmouseover="x">P&1</b>' in joined  # shown as written, never as markup
    assert "\x1b" not in html and "\nSummary" not in html  # control characters are shown, not sent
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_only_http_links_are_links():
    assert link("https://doi.org/10.1/x") == "https://doi.org/10.1/x" and link("HTTP://a.b") == "HTTP://a.b"
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//evil.example", "", None):
        assert link(bad) is None


def test_a_clean_list_says_so_with_no_findings(kb):
    text = Page(html_for(kb, meds=["oxycodone", "ibuprofen"], patient=None, age=None)).all_text()
    assert "No interactions found among 2 medications, all recognised." in text
    assert "Patient" not in text and "Age" not in text and DISCLAIMER in text


def test_markdown_escapes_names_so_they_cannot_format_link_or_break_lines(kb):
    from markdown_it import MarkdownIt

    md = markdown_format.render(check([HOSTILE, "baclofen", "alcohol"], kb), kb, "minor", "*P1*", WHEN)
    assert "\x1b" not in md and "\nSummary:" not in md
    html = MarkdownIt("commonmark").enable("table").render(md)
    page = Page(html)
    assert page.named("script") == [] and page.named("em") == [] and page.named("h1") == [{}]
    assert all("example.org" not in (a["href"] or "") for a in page.named("a"))  # the name's [ok](...) is not a link
    text = page.all_text()
    assert "Patient: *P1*" in text
    assert '<script>alert("x")</script> & \\x1b[2J\\nSummary: no *interactions* [ok](http://example.org) | #1' in text
    assert verdict(check([HOSTILE, "baclofen", "alcohol"], kb)) in text and DISCLAIMER in text


def test_markdown_holds_the_same_report_as_html(kb):
    from markdown_it import MarkdownIt

    result = check(LIST, kb, age=78)
    md_text = Page(MarkdownIt("commonmark").enable("table").render(markdown_format.render(result, kb, "minor", "MRN 1", WHEN))).all_text()
    for f in result.findings:
        assert f.rule_data["title"] in md_text and " ".join(f.rule_data["effect"].split()) in md_text
    assert "zoplicone" in md_text and "MRN 1" in md_text and "78 years" in md_text and WHEN in md_text


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_the_check_writes_the_report_and_keeps_its_exit_code(fmt, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    code = cli.run(["oxycodone", "alprazolam", "--format", fmt, "--patient", "A-17", "--fail-on", "major"])
    out = capsys.readouterr().out
    assert code == 1 and "A-17" in out and "2026-01-01T00:00:00Z" in out and "Opioid with a benzodiazepine" in out
    assert cli.run(["oxycodone", "alprazolam", "--format", fmt, "--fail-on", "none"]) == 0
    assert cli.run(["zoplicone", "--format", fmt]) == 4


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine")
def test_the_page_renders_in_headless_chromium(kb, tmp_path):
    """The browser's own DOM after rendering: the text a reader sees, and nothing that reaches the network."""
    result = check(LIST, kb, age=78)
    page_file = tmp_path / "report.html"
    page_file.write_text(html_for(kb), encoding="utf-8")
    run = subprocess.run(
        [_chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--proxy-server=127.0.0.1:9", "--dump-dom", page_file.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    dom = Page(run.stdout)
    text = dom.all_text()
    assert "Medication interaction check" in text and "MRN 004217" in text and WHEN in text
    assert verdict(result) in text and DISCLAIMER in text and "zoplicone" in text
    titles = [f.rule_data["title"] for f in result.findings]
    assert [text.index(t) for t in titles] == sorted(text.index(t) for t in titles)
    assert dom.named("script") == [] and network_urls(dom) == []
    assert all((a["href"] or "").startswith(("https://", "http://")) for a in dom.named("a"))


def test_site_rules_and_a_site_severity_change_are_on_the_page(capsys):
    from pathlib import Path

    site = str(Path(__file__).parent / "fixtures" / "site")
    assert cli.run(["baclofen", "lisinopril", "--rules", site, "--format", "html"]) == 1
    page = Page(capsys.readouterr().out)
    text = page.all_text()
    assert "+ site rules" in text and "Site change severity moderate -> minor: P&T committee" in text
    assert len({a.get("id") for _, a in page.tags if a.get("id")}) == len([a for _, a in page.tags if a.get("id")])  # ids unique


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NAMES = st.one_of(st.text(max_size=30), st.sampled_from(["baclofen", "alcohol", "Xanax", "oxycodone", "\x1b[31mwarfarin", "a\u202eb", "x\r\ny"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meds=st.lists(NAMES, min_size=1, max_size=4), patient=st.one_of(st.none(), st.text(max_size=12)))
def test_no_control_character_reaches_a_reader(kb, meds, patient):
    from interactions.describe import explain_list
    from interactions.reporters.explain_format import render_list_text

    result = check(meds, kb)
    outputs = [html_format.render(result, kb, "minor", patient, WHEN), markdown_format.render(result, kb, "minor", patient, WHEN)]
    if len(meds) > 1:
        outputs.append(render_list_text(explain_list(meds, kb), "kb", 80))
    for out in outputs:  # only the reports' own line breaks: no control, format or line/paragraph separator character
        assert all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") for ch in out)
    assert Page(outputs[0]).named("script") == []


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_adding_shows_only_what_the_new_drug_brings_and_its_exit_code(fmt, capsys):
    code = cli.run(["warfarin", "simvastatin 40 mg", "clarithromycin", "--adding", "fluconazole", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 1 and "Adding fluconazole: highest severity major:" in out.replace("\\", "")
    assert "Warfarin with a drug that raises the INR" in out and "Simvastatin or lovastatin with a strong CYP3A4 inhibitor" not in out
    assert "among the rest of the list not shown (they do not involve fluconazole)" in out
    assert cli.run(["warfarin", "simvastatin 40 mg", "clarithromycin", "--adding", "lisinopril", "--format", fmt]) == 0
