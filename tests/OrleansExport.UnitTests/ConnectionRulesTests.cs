using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Connections;

namespace OrleansExport.UnitTests;

public sealed class ConnectionRulesTests
{
    [Fact]
    public void EmptyPatch_IsValid_AndOnlyTheMembersItSetsAreChecked()
    {
        Assert.Null(ConnectionRules.ValidatePatch(new ConnectionPatch()));
        Assert.Null(ConnectionRules.ValidatePatch(new ConnectionPatch(ChangeProfileCap: true, ProfileCap: null)));
        Assert.Equal("displayName", ConnectionRules.ValidatePatch(new ConnectionPatch(DisplayName: " "))?.Field);
        Assert.Equal("apiKey", ConnectionRules.ValidatePatch(new ConnectionPatch(ApiKey: new string('k', ConnectionRules.MaxApiKeyLength + 1)))?.Field);
        Assert.Equal("profileCap", ConnectionRules.ValidatePatch(new ConnectionPatch(ChangeProfileCap: true, ProfileCap: 0))?.Field);
        Assert.Null(ConnectionRules.ValidatePatch(new ConnectionPatch(ProfileCap: 0)));   // not asked to change it
    }

    [Fact]
    public void Create_NamesTheFirstFieldAtFault()
    {
        var options = new ActiveCampaignOptions();
        var valid = new ConnectionRequest("Acme", "acme.api-us1.com", "key-0123456789", false, true, null, "alice");

        Assert.Null(ConnectionRules.ValidateCreate(valid, options));
        Assert.Equal("hostname", ConnectionRules.ValidateCreate(valid with { Hostname = "https://acme.api-us1.com" }, options)?.Field);
        Assert.Equal("dataPrivacyConsent", ConnectionRules.ValidateCreate(valid with { DataPrivacyConsent = false }, options)?.Field);
        Assert.Equal("profileCap", ConnectionRules.ValidateCreate(valid with { ProfileCap = -1 }, options)?.Field);
    }

    [Fact]
    public void CatalogSearch_ContainsInAnyCase_OrEverything()
    {
        string[] names = ["Newsletter", "VIP customers", "vip-gold"];

        Assert.Equal(["VIP customers", "vip-gold"], CatalogSearch.Filter(names, n => n, " Vip "));
        Assert.Equal(names, CatalogSearch.Filter(names, n => n, null));
        Assert.Empty(CatalogSearch.Filter(names, n => n, "nothing"));
    }
}
