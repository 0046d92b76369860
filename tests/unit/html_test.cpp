#include "helpdesk/mail/html.hpp"

#include <gtest/gtest.h>

namespace {

using helpdesk::mail::html_to_text;
using helpdesk::mail::sanitize_html;

std::string repeated(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

TEST(HtmlToText, BlocksBreaksAndLists) {
  EXPECT_EQ(html_to_text("<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul>after"),
            "One\n\nTwo\nThree\n\n- a\n- b\nafter");
  EXPECT_EQ(html_to_text("<div>a</div><div>b</div><h2>Title</h2><blockquote>quoted</blockquote>end"),
            "a\nb\n\nTitle\n\nquoted\n\nend");
  EXPECT_EQ(html_to_text("<ul><li>top<ul><li>inner</li></ul></li><li>next</li></ul>"),
            "- top\n  - inner\n- next");
}

TEST(HtmlToText, EntitiesAndWhitespace) {
  EXPECT_EQ(html_to_text("  Caf&eacute;&nbsp;&amp;   <b>cr&#232;me</b>\n\n  br&ucirc;l&eacute;e  "),
            "Café & crème brûlée");
  EXPECT_EQ(html_to_text("a &lt;b&gt; &quot;c&quot; &#x263A;"), "a <b> \"c\" ☺");
}

TEST(HtmlToText, DropsScriptsStylesAndHead) {
  EXPECT_EQ(html_to_text("<html><head><title>T</title><style>p{color:red}</style></head>"
                         "<body>Hi<script>evil()</script> there<noscript> you</noscript></body></html>"),
            "Hi there you");
}

TEST(HtmlToText, AtMostOneBlankLine) {
  EXPECT_EQ(html_to_text("a<br><br><br><br>b<div></div><div></div><p></p><p></p>c"), "a\n\nb\n\nc");
  EXPECT_EQ(html_to_text("<p>\n\n</p><p>  </p>x<p></p>"), "x");
}

TEST(HtmlToText, TablesAndPreformattedText) {
  EXPECT_EQ(html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>"),
            "a b\nc d");
  EXPECT_EQ(html_to_text("<p>x</p><pre>  line 1\n    line 2</pre>y"), "x\n\n  line 1\n    line 2\n\ny");
}

TEST(HtmlToText, EmptyBrokenAndHostileInput) {
  EXPECT_EQ(html_to_text(""), "");
  EXPECT_EQ(html_to_text("<<<>>>"), "<<<>>>");
  EXPECT_EQ(html_to_text("caf\xe9 <b>unclosed"), "café unclosed");  // not UTF-8: read as windows-1252
  EXPECT_EQ(html_to_text(std::string("nul\0byte", 8)), "nulbyte");
  EXPECT_EQ(html_to_text(repeated("<div>", 200) + "deep"), "deep");
  // libxml2 stops building the tree at depth 256 (its guard against stack
  // exhaustion); anything nested deeper is lost rather than crashing.
  EXPECT_EQ(html_to_text(repeated("<div>", 100000) + "deep" + repeated("</div>", 100000)), "");
}

TEST(HtmlToText, MetaCharsetDoesNotRedecodeUtf8) {
  EXPECT_EQ(html_to_text("<meta charset=\"iso-8859-1\"><p>Grüße</p>"), "Grüße");
}

TEST(SanitizeHtml, KeepsFormattingAsAFragment) {
  EXPECT_EQ(sanitize_html("<p>Hi <b>there</b><br><em>x</em> <i>y</i> <u>z</u></p>"),
            "<p>Hi <b>there</b><br><em>x</em> <i>y</i> <u>z</u></p>");
  EXPECT_EQ(sanitize_html("<html><head><title>t</title><style>p{}</style></head><body bgcolor=red><p>x</p></body></html>"),
            "<p>x</p>");
  EXPECT_EQ(sanitize_html("plain text"), "plain text");
  EXPECT_EQ(sanitize_html("<ul><li>a</li></ul><hr><pre>  x</pre><h3>h</h3>"),
            "<ul><li>a</li></ul><hr><pre>  x</pre><h3>h</h3>");
}

TEST(SanitizeHtml, RemovesDangerousElementsWithTheirContent) {
  EXPECT_EQ(sanitize_html("<p>a</p><script>alert(1)</script><style>p{}</style><iframe src=x>inner</iframe>"
                          "<form action=x><input name=q>typed<button>b</button></form><object>o</object>"
                          "<embed src=y><svg><script>alert(2)</script></svg><math>m</math>"),
            "<p>a</p>");
}

TEST(SanitizeHtml, UnwrapsUnknownElements) {
  EXPECT_EQ(sanitize_html("<custom-el><p>x</p></custom-el><article>y</article><label>z</label>"),
            "<p>x</p>yz");
}

TEST(SanitizeHtml, DropsDisallowedAttributes) {
  EXPECT_EQ(sanitize_html("<p onclick=\"x()\" style=\"color:red\" class=\"c\" id=\"i\" title=\"t\" align=\"CENTER\">x</p>"),
            "<p title=\"t\" align=\"center\">x</p>");
  EXPECT_EQ(sanitize_html("<font color=red face=x size=7>t</font>"), "<font>t</font>");
  EXPECT_EQ(sanitize_html("<table><tr><td colspan=\"2\" rowspan=\"x\" width=\"5\" align=\"evil\">c</td></tr></table>"),
            "<table><tr><td colspan=\"2\">c</td></tr></table>");
}

TEST(SanitizeHtml, LinksAreSafeAndOpenElsewhere) {
  EXPECT_EQ(sanitize_html("<a href=\"https://example.com/?a=1&amp;b=2\" onclick=\"x\" target=\"_self\">go</a>"),
            "<a href=\"https://example.com/?a=1&amp;b=2\" rel=\"noopener noreferrer\" target=\"_blank\">go</a>");
  EXPECT_EQ(sanitize_html("<a href=\"mailto:help@example.com\">mail</a>"),
            "<a href=\"mailto:help@example.com\" rel=\"noopener noreferrer\" target=\"_blank\">mail</a>");
  // Unsafe or relative targets leave just the text.
  EXPECT_EQ(sanitize_html("<a href=\"javascript:alert(1)\">a</a><a href=\" JaVa&#x09;ScRiPt:alert(1)\">b</a>"
                          "<a href=\"data:text/html,zz\">c</a><a href=\"vbscript:x\">d</a><a href=\"/relative\">e</a>"
                          "<a name=\"anchor\">f</a>"),
            "abcdef");
}

TEST(SanitizeHtml, ImagesNeedASafeSource) {
  EXPECT_EQ(sanitize_html("<img src=\"https://example.com/a.png\" alt=\"A\" width=\"1\" onerror=\"x()\">"),
            "<img src=\"https://example.com/a.png\" alt=\"A\">");
  EXPECT_EQ(sanitize_html("<img src=\"cid:logo@x\">"), "<img src=\"cid:logo@x\">");
  EXPECT_EQ(sanitize_html("<img src=\"data:image/png;base64,iVBO\">"), "<img src=\"data:image/png;base64,iVBO\">");
  EXPECT_EQ(sanitize_html("<img src=\"data:text/html,x\"><img src=\"javascript:x\"><img alt=\"none\">"), "");
}

TEST(SanitizeHtml, EscapesTextAndAttributes) {
  EXPECT_EQ(sanitize_html("<span title='a\"b<c>&amp;'>1 &lt; 2 &amp; 3 > 0</span>"),
            "<span title=\"a&quot;b&lt;c&gt;&amp;\">1 &lt; 2 &amp; 3 &gt; 0</span>");
  EXPECT_EQ(sanitize_html("<p>caf&eacute; &nbsp;</p>"), "<p>café \u00A0</p>");
}

TEST(SanitizeHtml, DropsCommentsAndHostileNesting) {
  EXPECT_EQ(sanitize_html("<!-- secret --><p>x</p><!--[if mso]><b>mso</b><![endif]-->"), "<p>x</p>");
  EXPECT_EQ(sanitize_html(repeated("<b>", 200) + "deep"), repeated("<b>", 200) + "deep" + repeated("</b>", 200));
  const std::string out = sanitize_html(repeated("<div>", 100000) + "deep");
  EXPECT_EQ(out.rfind("<div><div>", 0), 0u);
  EXPECT_EQ(out.find("deep"), std::string::npos);  // past libxml2's depth limit
  EXPECT_EQ(sanitize_html(""), "");
}

}  // namespace
