namespace OrleansExport.UnitTests;

public sealed class RejectionCsvTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 21, 0, 0, 123, TimeSpan.FromHours(1));

    [Fact]
    public void OneRowPerRejection_AfterTheHeader_TimesInUtc()
    {
        var csv = RejectionCsv.Write([new Rejection("p-1", "ann@example.com", "over the profile cap: not sent", At, RejectionKind.OverCap)]);

        Assert.Equal("profileId,email,kind,reason,at\r\np-1,ann@example.com,overCap,over the profile cap: not sent,2026-11-28T20:00:00.123Z\r\n", csv);
    }

    [Fact]
    public void CommasQuotesAndLineBreaks_AreQuoted_QuotesDoubled()
    {
        var csv = RejectionCsv.Write([new Rejection("p,2", "a\"b@example.com", "line one\nline two", At, RejectionKind.InvalidEmail)]);

        Assert.Equal("\"p,2\",\"a\"\"b@example.com\",invalidEmail,\"line one\nline two\",2026-11-28T20:00:00.123Z", csv.Split("\r\n")[1]);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData(" padded ", "\" padded \"")]
    [InlineData("", "")]
    [InlineData("plain@example.com", "plain@example.com")]
    [InlineData("line\n=1+1", "\"line\n'=1+1\"")]
    [InlineData("line\r\n@SUM(A1)", "\"line\r\n'@SUM(A1)\"")]
    [InlineData("line\r-1", "\"line\r'-1\"")]
    public void Field_NeutralisesFormulasAndKeepsOuterSpace(string value, string expected) =>
        Assert.Equal(expected, RejectionCsv.Field(value));

    [Fact]
    public void AMissingEmail_IsAnEmptyField()
    {
        var csv = RejectionCsv.Write([new Rejection("p-3", null, "attribute 'EmailAddress' (mapped to email) is missing or empty", At, RejectionKind.MissingEmail)]);

        Assert.StartsWith("p-3,,missingEmail,", csv.Split("\r\n")[1]);
    }

    [Theory]
    [InlineData(';')]
    [InlineData(',')]
    public void ReadWithEitherListSeparator_NoCellStartsAFormula(char separator)
    {
        var csv = RejectionCsv.Write([
            new Rejection("x;=1+1", "a;+1@example.com", "b,@SUM(A1)", At, RejectionKind.InvalidEmail),
            new Rejection("p\";-2", "=1", "c;\t=1", At, RejectionKind.InvalidEmail)]);

        // A spreadsheet whose list separator is not ours splits mid-field, quotes or not: read it as naively.
        var cells = csv.Split("\r\n").SelectMany(row => row.Split(separator)).Select(cell => cell.TrimStart('"'));

        Assert.All(cells, cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r', $"cell '{cell}' starts a formula"));
        Assert.Contains("\"x;'=1+1\"", csv);
    }
}
