using OrleansExport.Grains;


namespace OrleansExport.UnitTests;

public sealed class ExportOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new ExportOptionsValidator().Validate(null, new ExportOptions()).Succeeded);

    [Theory]
    [InlineData(nameof(ExportOptions.FlushInterval))]
    [InlineData(nameof(ExportOptions.ShardPersistInterval))]
    [InlineData(nameof(ExportOptions.ImportInfoDelay))]
    [InlineData(nameof(ExportOptions.ImportInfoTimeout))]
    [InlineData(nameof(ExportOptions.MaxBatchDelay))]
    public void Every_interval_has_a_range(string property)
    {
        var options = new ExportOptions();
        typeof(ExportOptions).GetProperty(property)!.SetValue(options, TimeSpan.FromMilliseconds(-1));

        var result = new ExportOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(property, result.FailureMessage);
    }
}
