namespace OrleansExport.ActiveCampaign.Tests;

public sealed class EmailRulesTests
{
    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("ann.lee+promo@mail.example.co.uk")]
    [InlineData("o'brien@example-shop.com")]
    [InlineData("x@a.io")]
    [InlineData("ann@exämple.com")]
    public void PlausibleAddresses_AreValid(string email)
    {
        Assert.True(EmailRules.IsValid(email));
        Assert.Null(EmailRules.FindProblem(email));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("ann", "exactly one @")]
    [InlineData("ann@@example.com", "exactly one @")]
    [InlineData("ann@bob@example.com", "exactly one @")]
    [InlineData("@example.com", "local part")]
    [InlineData("ann lee@example.com", "local part")]
    [InlineData(" ann@example.com", "local part")]
    [InlineData(".ann@example.com", "local part")]
    [InlineData("ann..lee@example.com", "local part")]
    [InlineData("\"ann\"@example.com", "local part")]
    [InlineData("ann(x)@example.com", "local part")]
    [InlineData("ann@", "domain")]
    [InlineData("ann@example", "domain")]
    [InlineData("ann@example.com\n", "domain")]
    [InlineData("ann@exa_mple.com", "domain")]
    [InlineData("ann@-example.com", "domain")]
    [InlineData("ann@example.com-", "domain")]
    [InlineData("ann@example..com", "domain")]
    [InlineData("ann@.example.com", "domain")]
    [InlineData("ann@example.com.", "domain")]
    [InlineData("ann@[127.0.0.1]", "domain")]
    public void MalformedAddresses_AreRefusedWithTheReason(string? email, string expectedReason)
    {
        Assert.False(EmailRules.IsValid(email));
        Assert.Contains(expectedReason, EmailRules.FindProblem(email));
    }

    [Fact]
    public void LocalPart_IsAtMost64Characters()
    {
        Assert.True(EmailRules.IsValid(new string('a', 64) + "@example.com"));
        Assert.False(EmailRules.IsValid(new string('a', 65) + "@example.com"));
    }

    [Fact]
    public void Address_IsAtMost254Characters()
    {
        var domain = new string('d', 200) + ".com";
        var fits = new string('a', 254 - domain.Length - 1) + "@" + domain;

        Assert.True(EmailRules.IsValid(fits));
        Assert.False(EmailRules.IsValid("a" + fits));
    }
}
