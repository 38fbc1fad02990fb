namespace OrleansExport.Grains.Members;

/// <summary>Times a member keeps in four bytes: whole seconds since 2020-01-01 UTC (enough until 2156), 0 for none.</summary>
public static class MemberClock
{
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static uint ToSeconds(DateTimeOffset at) =>
        at <= Epoch ? 1u : (uint)Math.Min(uint.MaxValue, (ulong)(at - Epoch).TotalSeconds);

    public static DateTimeOffset? FromSeconds(uint seconds) => seconds == 0 ? null : Epoch.AddSeconds(seconds);
}
