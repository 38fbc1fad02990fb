using System.Text;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>The webhook body is hostile input: bounded, only what is needed kept, unknown types ignored, anything odd invalid.</summary>
public sealed class ActiveCampaignWebhookFormTests
{
    private const string Unsubscribe =
        "type=unsubscribe&date_time=2026-12-07T10%3A15%3A00-06%3A00&initiated_from=public&initiated_by=public&list=3" +
        "&campaign%5Bid%5D=12&contact%5Bid%5D=42&contact%5Bemail%5D=ann%2Bnews%40example.com&contact%5Bfirst_name%5D=Ann+Lee" +
        "&contact%5Bfields%5D%5Bcolor%5D=blue&unsubscribe%5Breason%5D=Too+many";

    [Fact]
    public void AnUnsubscribeByLink_IsReadWithItsListContactSourceTimeAndCampaign()
    {
        var result = ActiveCampaignWebhookForm.Parse(Encoding.UTF8.GetBytes(Unsubscribe));

        var accepted = Assert.IsType<WebhookFormResult.Accepted>(result);
        Assert.Equal(
            new ActiveCampaignWebhookEvent(WebhookEventType.Unsubscribe, "3", "42", "ann+news@example.com", WebhookSource.Public,
                new DateTimeOffset(2026, 12, 7, 16, 15, 0, TimeSpan.Zero), "12"),
            accepted.Event);
    }

    [Theory]
    [InlineData("bounce", "system", WebhookEventType.Bounce, WebhookSource.System)]
    [InlineData("subscribe", "public", WebhookEventType.Subscribe, WebhookSource.Public)]
    [InlineData("unsubscribe", "admin", WebhookEventType.Unsubscribe, WebhookSource.Admin)]
    [InlineData("unsubscribe", "api", WebhookEventType.Unsubscribe, WebhookSource.Api)]
    [InlineData("unsubscribe", "robot", WebhookEventType.Unsubscribe, WebhookSource.Unknown)]
    public void TypesAndSources_AreRead(string type, string source, WebhookEventType expectedType, WebhookSource expectedSource)
    {
        var result = Parse($"type={type}&initiated_from={source}&list=1&contact[id]=7&contact[email]=bob@example.com&date_time=2026-12-07 10:15:00");

        var accepted = Assert.IsType<WebhookFormResult.Accepted>(result);
        Assert.Equal((expectedType, expectedSource, null), (accepted.Event.Type, accepted.Event.InitiatedFrom, accepted.Event.CampaignId));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 10, 15, 0, TimeSpan.Zero), accepted.Event.OccurredAt);
    }

    [Theory]
    [InlineData("open")]
    [InlineData("update")]
    [InlineData("contact_add")]
    public void OtherTypes_AreIgnored_NotInvalid(string type)
    {
        var result = Parse($"type={type}&list=1&contact[id]=7&contact[email]=bob@example.com");

        Assert.Equal(new WebhookFormResult.Ignored(type), result);
    }

    [Fact]
    public void AnUnreadableType_IsIgnoredWithoutBeingEchoed()
    {
        var result = Parse("type=%3Cscript%3Ealert(1)%3C%2Fscript%3E&list=1");

        Assert.Equal(new WebhookFormResult.Ignored("(unreadable)"), result);
    }

    [Theory]
    [InlineData("", "type")]
    [InlineData("list=1&contact[id]=7&contact[email]=bob@example.com", "type")]
    [InlineData("type=unsubscribe&contact[id]=7&contact[email]=bob@example.com", "list")]
    [InlineData("type=unsubscribe&list=0&contact[id]=7&contact[email]=bob@example.com", "list")]
    [InlineData("type=unsubscribe&list=1%3B+DROP&contact[id]=7&contact[email]=bob@example.com", "list")]
    [InlineData("type=unsubscribe&list=1&contact[email]=bob@example.com", "contact[id]")]
    [InlineData("type=unsubscribe&list=1&contact[id]=-7&contact[email]=bob@example.com", "contact[id]")]
    [InlineData("type=unsubscribe&list=1&contact[id]=123456789012345678901&contact[email]=bob@example.com", "contact[id]")]
    [InlineData("type=unsubscribe&list=1&contact[id]=7", "contact[email]")]
    [InlineData("type=unsubscribe&list=1&contact[id]=7&contact[email]=not-an-email", "contact[email]")]
    [InlineData("type=unsubscribe&list=1&list=2&contact[id]=7&contact[email]=bob@example.com", "twice")]
    [InlineData("type=unsubscribe&type=subscribe&list=1&contact[id]=7&contact[email]=bob@example.com", "twice")]
    public void AMissingRepeatedOrMalformedMember_MakesTheBodyInvalid(string body, string named)
    {
        var result = Parse(body);

        Assert.Contains(named, Assert.IsType<WebhookFormResult.Invalid>(result).Reason);
    }

    [Fact]
    public void JsonInsteadOfAForm_IsInvalid()
    {
        var result = Parse("""{"type":"unsubscribe","list":"1","contact":{"id":"7","email":"bob@example.com"}}""");

        Assert.IsType<WebhookFormResult.Invalid>(result);
    }

    [Fact]
    public void AnUnreadableDate_IsNoDate_NotAnInvalidBody()
    {
        var result = Parse("type=bounce&list=1&contact[id]=7&contact[email]=bob@example.com&date_time=yesterday");

        Assert.Null(Assert.IsType<WebhookFormResult.Accepted>(result).Event.OccurredAt);
    }

    [Fact]
    public void ABodyOverTheLimit_IsInvalid_EvenWhenItStartsWell()
    {
        var body = Unsubscribe + "&padding=" + new string('x', ActiveCampaignWebhookForm.MaxBodyBytes);

        var result = Parse(body);

        Assert.Contains("bytes", Assert.IsType<WebhookFormResult.Invalid>(result).Reason);
    }

    [Fact]
    public void TooManyMembers_IsInvalid()
    {
        var body = Unsubscribe + string.Concat(Enumerable.Range(0, ActiveCampaignWebhookForm.MaxMembers).Select(i => $"&f{i}=1"));

        var result = Parse(body);

        Assert.Contains("members", Assert.IsType<WebhookFormResult.Invalid>(result).Reason);
    }

    [Fact]
    public void BytesThatAreNotUtf8_AreInvalid()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("type=unsubscribe&list=1&contact[email]="), 0xC3, 0x28];

        var result = ActiveCampaignWebhookForm.Parse(body);

        Assert.Contains("UTF-8", Assert.IsType<WebhookFormResult.Invalid>(result).Reason);
    }

    [Fact]
    public async Task ReadAsync_StopsReadingJustPastTheLimit()
    {
        var stream = new CountingStream(new string('a', 10 * ActiveCampaignWebhookForm.MaxBodyBytes));

        var result = await ActiveCampaignWebhookForm.ReadAsync(stream, CancellationToken.None);

        Assert.IsType<WebhookFormResult.Invalid>(result);
        Assert.InRange(stream.BytesRead, ActiveCampaignWebhookForm.MaxBodyBytes + 1, ActiveCampaignWebhookForm.MaxBodyBytes + 1);
    }

    [Fact]
    public async Task ReadAsync_ReadsABodyThatArrivesInPieces()
    {
        var stream = new CountingStream(Unsubscribe, chunk: 7);

        var result = await ActiveCampaignWebhookForm.ReadAsync(stream, CancellationToken.None);

        Assert.Equal("42", Assert.IsType<WebhookFormResult.Accepted>(result).Event.ContactId);
    }

    private static WebhookFormResult Parse(string body) => ActiveCampaignWebhookForm.Parse(Encoding.UTF8.GetBytes(body));

    /// <summary>A stream that hands out at most <c>chunk</c> bytes a read and counts what was read.</summary>
    private sealed class CountingStream(string text, int chunk = 4096) : MemoryStream(Encoding.UTF8.GetBytes(text))
    {
        public long BytesRead { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = Read(buffer.Span[..Math.Min(buffer.Length, chunk)]);
            BytesRead += read;
            return ValueTask.FromResult(read);
        }
    }
}
