using CommissioningActors.Protocol.Text;

namespace CommissioningActors.Protocol.Tests.Text;

public class PeerTextTests
{
    [Fact]
    public void Plain_text_is_returned_as_it_is()
    {
        const string text = "Connection failed: out of connection slots (C:\\proxy)";
        Assert.Same(text, PeerText.Escape(text));
    }

    [Fact]
    public void Null_stays_null() => Assert.Null(PeerText.Escape(null));

    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb", "a\\r\\nb")]
    [InlineData("a\tb", "a\\tb")]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData("nul\0", "nul\\u0000")]
    [InlineData("del\u007f", "del\\u007f")]
    [InlineData("c1\u0085next", "c1\\u0085next")]
    [InlineData("line\u2028sep\u2029", "line\\u2028sep\\u2029")]
    [InlineData("bidi\u202eevil\u2066", "bidi\\u202eevil\\u2066")]
    public void Control_characters_become_visible_escapes(string raw, string escaped) => Assert.Equal(escaped, PeerText.Escape(raw));

    [Fact]
    public void Lone_surrogates_become_escapes()
    {
        Assert.Equal("lone\\ud800", PeerText.Escape("lone\ud800"));
        Assert.Equal("lone\\udc00x", PeerText.Escape("lone\udc00x"));
    }

    [Fact]
    public void A_forged_log_line_stays_on_one_line()
    {
        var escaped = PeerText.Escape("device gone\n[12:00:00 ERR] fake entry");
        Assert.Equal("device gone\\n[12:00:00 ERR] fake entry", escaped);
        Assert.DoesNotContain('\n', escaped);
    }

    [Fact]
    public void Surrogate_pairs_and_non_ascii_names_are_kept()
    {
        Assert.Equal("Küche 💡", PeerText.Escape("Küche 💡"));
    }

    [Fact]
    public void Long_text_is_truncated_with_an_ellipsis()
    {
        var escaped = PeerText.Escape(new string('x', 500));
        Assert.Equal(new string('x', PeerText.DefaultMaxLength) + PeerText.Ellipsis, escaped);
        Assert.Equal("abc" + PeerText.Ellipsis, PeerText.Escape("abcdef", 3));
        Assert.Equal("abc", PeerText.Escape("abc", 3));
    }

    [Fact]
    public void Truncation_never_splits_an_escape_or_a_surrogate_pair()
    {
        Assert.Equal("ab" + PeerText.Ellipsis, PeerText.Escape("ab\ncd", 3));
        Assert.Equal("ab" + PeerText.Ellipsis, PeerText.Escape("ab💡", 3));
    }

    [Fact]
    public void Nothing_escaped_contains_a_line_break_whatever_the_input()
    {
        var random = new Random(12);
        for (var i = 0; i < 2000; i++)
        {
            var chars = Enumerable.Range(0, random.Next(0, 200)).Select(_ => (char)random.Next(0, 0x3000)).ToArray();
            var escaped = PeerText.Escape(new string(chars), 64);
            Assert.True(escaped.Length <= 64 + PeerText.Ellipsis.Length);
            Assert.DoesNotContain(escaped, c => c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085' or '\u001b');
        }
    }
}
