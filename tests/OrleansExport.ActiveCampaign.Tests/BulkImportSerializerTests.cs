using System.Text;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class BulkImportSerializerTests
{
    [Fact]
    public void WritesTheWireFormat_LeavingOutNullsAndEmptyLists()
    {
        BulkContact[] contacts =
        [
            new("ann@example.com", "Ann", "Lee", "+47 555", [new FieldValue(7, "gold")], ["vip", "ci"], "1", null),
            new("bob@example.com", null, null, null, [], [], null, "2"),
        ];

        var json = Encoding.UTF8.GetString(BulkImportSerializer.Serialize(contacts));

        Assert.Equal(
            """{"contacts":[{"email":"ann@example.com","first_name":"Ann","last_name":"Lee","phone":"+47 555","tags":["vip","ci"],"fields":[{"id":7,"value":"gold"}],"subscribe":[{"listid":"1"}]},{"email":"bob@example.com","unsubscribe":[{"listid":"2"}]}],"exclude_automations":false}""",
            json);
    }

    [Fact]
    public void EscapesOnlyWhatJsonRequires_AndStaysParseable()
    {
        var contact = new BulkContact("s@example.com", "Søren \"Sy\" <b>", "中村\\", null, [], [], null, null);

        var body = BulkImportSerializer.Serialize([contact]);

        Assert.Contains("\"first_name\":\"Søren \\\"Sy\\\" <b>\"", Encoding.UTF8.GetString(body));
        using var document = JsonDocument.Parse(body);
        Assert.Equal("中村\\", document.RootElement.GetProperty("contacts")[0].GetProperty("last_name").GetString());
    }

    [Fact]
    public void EnvelopeBytes_IsTheSizeOfAnEmptyImport() =>
        Assert.Equal("""{"contacts":[],"exclude_automations":false}""".Length, BulkImportSerializer.EnvelopeBytes);
}
