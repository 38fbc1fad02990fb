namespace OrleansExport.UnitTests;

public sealed class IdRulesTests
{
    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\r\nb")]
    [InlineData("é")]
    [InlineData("")]
    public void SegmentIdsThatStorageWouldFoldOrLogsWouldSplit_AreRefused(string segmentId) =>
        Assert.NotNull(IdRules.InvalidSegmentId(segmentId));

    [Theory]
    [InlineData("high-value")]
    [InlineData("eu_vip.2026:q4")]
    public void SegmentIdsOfLettersDigitsAndDashUnderscoreDotColon_AreAllowed(string segmentId) =>
        Assert.Null(IdRules.InvalidSegmentId(segmentId));

    [Fact]
    public void SegmentIdLength_Is128AtMost()
    {
        Assert.Null(IdRules.InvalidSegmentId(new string('s', 128)));
        Assert.Contains("128", IdRules.InvalidSegmentId(new string('s', 129)));
    }

    [Fact]
    public void ProfileIds_AreAnyTextWithoutControlCharacters_Of256AtMost()
    {
        Assert.Null(IdRules.InvalidProfileId("p/1 #ü"));
        Assert.NotNull(IdRules.InvalidProfileId("p\n1"));
        Assert.NotNull(IdRules.InvalidProfileId(new string('p', 257)));
    }

    [Fact]
    public void Parser_RefusesABadSegmentId_AndNeverQuotesAnUnknownType()
    {
        Assert.False(SegmentEventParser.TryParse("""{"eventId":"e","segmentId":"eu/vip","profileId":"p","type":"left","occurredAt":"2026-01-01T00:00:00Z"}"""u8, out _, out var reason));
        Assert.Contains("'segmentId'", reason);
        Assert.False(SegmentEventParser.TryParse("""{"eventId":"e","segmentId":"eu","profileId":"p","type":"x\r\nFAKE LOG LINE","occurredAt":"2026-01-01T00:00:00Z"}"""u8, out _, out reason));
        Assert.DoesNotContain("FAKE", reason);
    }

    [Fact]
    public void LogText_ReplacesControlCharacters() =>
        Assert.Equal("a??b?", LogText.Clean("a\r\nb\u001b"));
}
