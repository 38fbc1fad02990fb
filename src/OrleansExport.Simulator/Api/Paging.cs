using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// <c>limit</c> and <c>offset</c> of ActiveCampaign's paged collections: 20 items by default, at most 100
/// (a larger limit gets 100, not an error: clients that ask for 1,000 and read one page miss the rest).
/// </summary>
internal readonly record struct Paging(int Offset, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static Paging From(IQueryCollection query)
    {
        int limit = Parse(query["limit"]) is { } requested and > 0 ? Math.Min(requested, MaxLimit) : DefaultLimit;
        int offset = Parse(query["offset"]) is { } skip and > 0 ? skip : 0;
        return new Paging(offset, limit);
    }

    private static int? Parse(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : null;
}
