using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>An Orleans serializer outside any silo, for reading and writing what the silos store.</summary>
public static class TestSerializer
{
    public static Serializer Instance { get; } = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
}
