using OrleansExport.Silo.Api;

namespace OrleansExport.ProductionTests;

/// <summary>The API key comparison: exact matches only, for keys of any length, the first entry of equal keys winning.</summary>
public sealed class ApiKeyMatcherTests
{
    private static readonly string[] Configured = ["admin-key-0123456789abcdef", "short-key-012345", "a-much-longer-viewer-key-0123456789abcdef-0123456789"];

    [Theory]
    [InlineData("admin-key-0123456789abcdef", 0)]
    [InlineData("short-key-012345", 1)]
    [InlineData("a-much-longer-viewer-key-0123456789abcdef-0123456789", 2)]
    public void ConfiguredKey_IsFound_WhateverItsLength(string presented, int index) =>
        Assert.Equal(index, ApiKeyMatcher.IndexOf(Configured, presented));

    [Theory]
    [InlineData("")]
    [InlineData("admin-key-0123456789abcde")]
    [InlineData("admin-key-0123456789abcdef0")]
    [InlineData("ADMIN-KEY-0123456789ABCDEF")]
    [InlineData("short-key-012345 ")]
    [InlineData("a-much-longer-viewer-key")]
    public void PrefixesExtensionsAndOtherCases_MatchNothing(string presented) =>
        Assert.Null(ApiKeyMatcher.IndexOf(Configured, presented));

    [Fact]
    public void EqualKeys_TheFirstEntryWins() =>
        Assert.Equal(1, ApiKeyMatcher.IndexOf(["other-key-0123456789", "same-key-0123456789", "same-key-0123456789"], "same-key-0123456789"));
}
