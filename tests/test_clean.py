"""Hidden text, chrome detection, whitespace and sanitising (pressarchive.refine.hidden, .html)."""

from __future__ import annotations

import lxml.html
import pytest

from pressarchive.refine.chrome import is_chrome
from pressarchive.refine.hidden import remove_hidden
from pressarchive.refine.html import (
    html_blocks,
    normalise_text,
    sanitise_html,
    strip_hidden_html,
)

# A Mynewsdesk contact card as the harvester-proof markup serves it (seed 000
# reads "louivelzse.flygt@nweorrkoping.pqse" when the hidden spans are kept).
OBFUSCATED_CARD = """
<div class="contact">
  <h3>Louise Flygt</h3><p>Presskontakt</p><p>Kommunikationsdirektör</p>
  <a class="email">loui<span style="display:none">vel</span>se<span style="DISPLAY : None">z</span>.flygt@n<span
  hidden>we</span>orrkoping.<span style="visibility: hidden">pq</span>se</a>
  <p>011-15 11 94</p>
  <svg class="icon"><title>A line styled icon from Orion Icon Library</title></svg>
  <img src="eye.svg" alt="A line styled icon from Orion Icon Library">
  <span class="icon-eye"></span><i class="fa fa-phone"></i>
  <span aria-hidden="true">Hidden</span>
  <script>var x = "junk@example.com";</script><style>.a{}</style>
  <noscript>Aktivera JavaScript</noscript><template><p>t</p></template>
</div>
"""


def test_remove_hidden_ungarbles_the_obfuscated_email() -> None:
    root = lxml.html.fragment_fromstring(OBFUSCATED_CARD)
    removed = remove_hidden(root)
    text = " ".join(root.text_content().split())
    assert "louise.flygt@norrkoping.se" in text
    assert "Orion" not in text and "Hidden" not in text and "junk" not in text
    assert "JavaScript" not in text
    # 4 hidden spans, svg, img, 2 icons, aria-hidden span, script, style, noscript, template
    assert removed == 13


def test_remove_hidden_keeps_emphasis_and_tails() -> None:
    root = lxml.html.fragment_fromstring(
        '<p>Före <i>kursiv</i> <span style="display:none">x</span>efter</p>'
    )
    assert remove_hidden(root) == 1
    assert root.text_content() == "Före kursiv efter"


def test_strip_hidden_html() -> None:
    html = 'a<b>b</b><span hidden>c</span><span class="sr-only">d</span>e'
    assert strip_hidden_html(html) == "a<b>b</b>e"


def test_normalise_text() -> None:
    raw = "Norr\u00adköping\u00a0har  145\u202f000\u200b invånare\r\n\n\n\n  Ny rad\t"
    assert normalise_text(raw) == "Norrköping har 145 000 invånare\n\nNy rad"


@pytest.mark.parametrize(
    "text",
    [
        "Dela",
        "Läs vidare »",
        "Media no image",
        "Cumciqx59jecg3pe7irn",
        "1234567",
        "a3f09c1d2e",
        "Följ Norrköpings kommun",
        "Abonnera på våra pressmeddelanden. Endast mejladress behövs och den används bara här. Du kan avanmäla dig när som helst.",
        "I vårt pressrum kan du läsa de senaste pressmeddelandena, få tillgång till pressmaterial och hitta kontaktinformation.",
        "Besök vårt pressrum",
        "HiddenA line styled icon from Orion Icon Library.Eye",
        "A line styled icon from Orion Icon Library",
        "Kontaktpersoner 4 kontaktpersoner",
        "Pressmeddelanden   •   Jan 18, 2018 16:32 CET",
        "25.11.2022 14:00:06 CET | Pressmeddelande",
        "10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan",
        "Varning för högt vattenflöde i Motala ström SMHI har skickat ut en orange varning som gäller högt vattenflöde i Motala ström. Här hittar du mer information om varningen",
        "Vi använder kakor (cookies) för att webbplatsen ska fungera. Godkänn kakor",
        "Foto: Norrköpings kommun",
        "______________________________________",
        "Norrköpings kommun",
    ],
)
def test_chrome(text: str) -> None:
    assert is_chrome(text, "Norrköpings kommun")


@pytest.mark.parametrize(
    "text",
    [
        "Femöresbron över Motala ström. Foto: Norrköpings kommun",
        "Det blir en ny bro över Motala ström",
        "Under 2017 har Norrköpings kommun gjort ett mycket gott resultat.",
        "Dela ut stipendier i januari",
        "2018 väntas bli fantastiskt för Norrköpings flygplats",
    ],
)
def test_not_chrome(text: str) -> None:
    assert not is_chrome(text, "Norrköpings kommun")


def test_sanitise_keeps_only_allowed_markup() -> None:
    html = """
    <div class="article" style="color:red">
      <h1 id="t">Rubrik</h1>
      <p class="lead" onclick="x()">Hej&nbsp;där <b>fet</b> och <i>kursiv</i>,
         <a href="/mer" target="_blank" class="l">läs</a> <a href="javascript:alert(1)">ond</a>
         <a name="x">ankare</a><br>Ny rad</p>
      <div>Lös text i en div<span>, med span</span></div>
      <iframe src="https://youtube.com/x"></iframe><script>alert(1)</script>
      <figure><img src="a.jpg"><figcaption>Bron. Foto: Kommunen</figcaption></figure>
      <ul class="x"><li>ett</li><li>två <strong>tre</strong></li></ul>
      <blockquote><p>Ett citat</p></blockquote>
      <table><tr><td>Cell</td></tr></table>
      <h5>Liten rubrik</h5>
    </div>"""
    out = sanitise_html(html)
    assert out == (
        "<h2>Rubrik</h2>\n"
        '<p>Hej där <strong>fet</strong> och <em>kursiv</em>, <a href="/mer">läs</a> ond ankare</p>\n'
        "<p>Ny rad</p>\n"
        "<p>Lös text i en div, med span</p>\n"
        "<p>Bron. Foto: Kommunen</p>\n"
        "<ul><li>ett</li><li>två <strong>tre</strong></li></ul>\n"
        "<blockquote><p>Ett citat</p></blockquote>\n"
        "<p>Cell</p>\n"
        "<h4>Liten rubrik</h4>"
    )
    assert sanitise_html(out) == out


def test_html_blocks() -> None:
    html = "<p>Ett</p><p>Två<br>Tre</p><ul><li>a</li><li>b</li></ul>"
    assert html_blocks(html) == ["Ett", "Två", "Tre", "• a\n• b"]
    assert html_blocks("") == []
