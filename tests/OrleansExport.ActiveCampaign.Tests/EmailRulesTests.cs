namespace OrleansExport.ActiveCampaign.Tests;

public sealed class EmailRulesTests
{
    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("ann.lee+promo@mail.example.co.uk")]
    [InlineData("o'brien@example-shop.com")]
    [InlineData("x@a.io")]
    public void PlausibleAddresses_AreValid(string email) => Assert.True(EmailRules.IsValid(email));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ann")]
    [InlineData("@example.com")]
    [InlineData("ann@")]
    [InlineData("ann@example")]
    [InlineData("ann@@example.com")]
    [InlineData("ann@bob@example.com")]
    [InlineData("ann lee@example.com")]
    [InlineData(" ann@example.com")]
    [InlineData("ann@example.com\n")]
    [InlineData("ann@exa_mple.com")]
    [InlineData("ann@-example.com")]
    [InlineData("ann@example-.com")]
    [InlineData("ann@example..com")]
    [InlineData("ann@.example.com")]
    [InlineData("ann@example.com.")]
    [InlineData("ann@exämple.com")]
    public void MalformedAddresses_AreInvalid(string? email) => Assert.False(EmailRules.IsValid(email));

    [Fact]
    public void LocalPart_IsAtMost64Characters()
    {
        Assert.True(EmailRules.IsValid(new string('a', 64) + "@example.com"));
        Assert.False(EmailRules.IsValid(new string('a', 65) + "@example.com"));
    }

    [Fact]
    public void Address_IsAtMost254Characters()
    {
        var domain = string.Join('.', Enumerable.Repeat(new string('d', 63), 3)) + ".com"; // 195 characters
        var fits = new string('a', 254 - domain.Length - 1) + "@" + domain;

        Assert.True(EmailRules.IsValid(fits));
        Assert.False(EmailRules.IsValid("a" + fits));
    }

    [Fact]
    public void DomainLabel_IsAtMost63Characters()
    {
        Assert.True(EmailRules.IsValid($"a@{new string('d', 63)}.com"));
        Assert.False(EmailRules.IsValid($"a@{new string('d', 64)}.com"));
    }
}
