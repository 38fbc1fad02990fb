using System.Text.Json;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class ApiResponseJsonTests
{
    [Theory]
    [InlineData("""{"success":0,"message":"Rate limit exceeded.","failureReasons":["Up to 100 imports may be requested per minute"]}""", true)]
    [InlineData("""{"success":0,"message":"Whoa","failureReasons":["Up to 20 single-contact imports may be requested per minute."]}""", true)]
    [InlineData("""{"success":0,"message":"JSON payload did not pass validation","failureReasons":[{"contact":1,"failureReason":"Invalid email"}]}""", false)]
    [InlineData("""{"success":0,"message":"Invalid data"}""", false)]
    [InlineData("""{}""", false)]
    public void IsRateLimitAnswer_KnowsTheDocumentedThrottle(string json, bool expected) =>
        Assert.Equal(expected, ApiResponseJson.IsRateLimitAnswer(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void ContactFailures_AreOnlyThoseNamingAnIndex()
    {
        var json = JsonDocument.Parse("""{"failureReasons":["Up to 100 imports",{"contact":"2","failureReason":"bad"},{"failureReason":"no index"}]}""").RootElement;

        Assert.Equal([new ContactFailure(2, "bad")], ApiResponseJson.ReadContactFailures(json));
        Assert.Equal("Up to 100 imports", ApiResponseJson.ReadBulkImportRefusal(json));
    }

    [Fact]
    public void Page_ReadsItemsAndTheTotal_NumbersOrStrings()
    {
        var json = JsonDocument.Parse("""{"tags":[{"id":1,"tag":"a"},{"id":"2","tag":"b"},{"tag":"no id"}],"meta":{"total":"250"}}""").RootElement;

        var (items, total) = ApiResponseJson.ReadPage(json, "tags", ApiResponseJson.ReadTag);

        Assert.Equal([new AccountTag("1", "a"), new AccountTag("2", "b")], items);
        Assert.Equal(250, total);
    }
}
