"""Learners' Markdown cannot smuggle script, style, event handlers or dangerous URLs into a
page, while ordinary Markdown still renders."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import login
from tests.forums.conftest import forum_url, send

PAYLOADS = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=5/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![beeld](javascript:alert(1))",
    "![beeld](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[klik][ref]\n\n[ref]: javascript:alert(1)",
    '<https://ok.example/" onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    '[a](https://ok.example "title" onclick="alert(1)")',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<a href="vbscript:msgbox(1)">vb</a>',
    "`<script>alert(1)</script>` en ```\n<img src=x onerror=alert(1)>\n```",
    "<<script>script>alert(1)<</script>/script>",
]


class Inspector(HTMLParser):
    """Collects what a browser would act on: script elements, event-handler attributes and
    URL-bearing attributes."""

    URL_ATTRIBUTES = {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "poster",
        "background",
        "srcset",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.styles = 0
        self.handlers: list[str] = []
        self.bad_urls: list[str] = []
        self.style_attributes = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "style":
            self.styles += 1
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.handlers.append(f"{tag}.{name}")
            if name == "style":
                self.style_attributes += 1
            if name in self.URL_ATTRIBUTES and value:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(("javascript:", "data:", "vbscript:")):
                    self.bad_urls.append(value)


def inspect(html: str) -> Inspector:
    parser = Inspector()
    parser.feed(html)
    return parser


def test_known_payloads_are_neutralised(client, world):
    assert len(PAYLOADS) >= 20
    login(client, world["els"])
    response = send(
        client,
        forum_url(world, rest="/threads"),
        {"title": "<script>alert('title')</script>", "body": "Begin."},
    )
    thread_url = response.headers["Location"]
    for payload in PAYLOADS:
        response = send(client, thread_url + "/reply", {"body": payload})
        assert response.status_code == 302, payload
    html = client.get(thread_url + "?page=1").get_data(as_text=True)
    assert html.count('class="post-body"') == len(PAYLOADS) + 1
    found = inspect(html)
    assert found.scripts == 0
    assert found.styles == 0 and found.style_attributes == 0
    assert found.handlers == []
    assert found.bad_urls == []
    bodies = "".join(
        part.split("</div>", 1)[0] for part in html.split('<div class="post-body">')[1:]
    )
    allowed = {
        "p",
        "br",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    }
    assert set(inspect(bodies).tags) <= allowed
    # The forum's list shows the title as text.
    listing = client.get(forum_url(world)).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in listing
    assert inspect(listing).scripts == 0


def test_ordinary_markdown_renders_as_expected(client, world):
    login(client, world["els"])
    body = (
        "Ik hielp *vandaag* een **burger** met `itsme`.\n\n"
        "- CSAM\n- My eBox\n\n"
        "1. Eerst\n2. Dan\n\n"
        "> Een citaat\n\n"
        "# Een kop\n\n"
        "Zie [mypension](https://www.mypension.be) of mail naar <mailto:loket@example.be>.\n"
    )
    response = send(client, forum_url(world, rest="/threads"), {"title": "Markdown", "body": body})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    post = html[html.index('class="post-body"') :]
    post = post[: post.index("</div>")]
    assert "<em>vandaag</em>" in post and "<strong>burger</strong>" in post
    assert "<code>itsme</code>" in post
    assert "<ul>\n<li>CSAM</li>\n<li>My eBox</li>\n</ul>" in post
    assert "<ol>\n<li>Eerst</li>" in post and "<blockquote>" in post
    assert "<h3>Een kop</h3>" in post  # under the page's h1 and the post's h2
    assert (
        '<a href="https://www.mypension.be" rel="nofollow noopener noreferrer ugc">mypension</a>'
    ) in post
    assert 'href="mailto:loket@example.be"' in post
