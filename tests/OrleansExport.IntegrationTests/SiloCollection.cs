namespace OrleansExport.IntegrationTests;

/// <summary>The integration tests share one <see cref="SiloFixture"/> (xunit finds collection definitions only in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
