namespace OrleansExport.Simulator.Tests;

public sealed class EmailRulesTests
{
    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("ann.lee+tag@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("user@xn--bcher-kva.example")]
    public void Accepts(string email) => Assert.Null(EmailRules.FindProblem(email));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plainaddress")]
    [InlineData("two@@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("@example.com")]
    [InlineData("ann@")]
    [InlineData("ann@localhost")]
    [InlineData("ann lee@example.com")]
    [InlineData("ann@exa mple.com")]
    [InlineData(".ann@example.com")]
    [InlineData("ann..lee@example.com")]
    [InlineData("ann@example..com")]
    [InlineData("ann@-example.com")]
    [InlineData("ann@example.com.")]
    [InlineData("\"quoted\"@example.com")]
    public void Refuses(string? email) => Assert.NotNull(EmailRules.FindProblem(email));

    [Fact]
    public void Refuses_LongerThan254Characters()
    {
        string domain = string.Join('.', Enumerable.Repeat(new string('d', 60), 4)); // 243 characters
        string fits = new string('a', 254 - 1 - domain.Length) + "@" + domain;

        Assert.Null(EmailRules.FindProblem(fits));
        Assert.NotNull(EmailRules.FindProblem("a" + fits));
    }
}
