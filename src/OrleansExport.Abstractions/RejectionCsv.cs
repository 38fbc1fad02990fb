using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansExport;

/// <summary>
/// Writes rejections as CSV (RFC 4180; docs/api.md: GET /api/exports/{id}/rejections.csv): a header row, then one row
/// per rejection. A field with a comma, semicolon (the list separator of many locales), quote, line break or outer
/// space is quoted, quotes doubled; a field that a spreadsheet would run as a formula (=, +, -, @, tab or carriage
/// return first, or right after a ; or , where a spreadsheet may split the row) gets an apostrophe before it (OWASP).
/// </summary>
public static partial class RejectionCsv
{
    public const string Header = "profileId,email,kind,reason,at";

    public static string Write(IEnumerable<Rejection> rejections)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var rejection in rejections)
        {
            csv.Append(Field(rejection.ProfileId)).Append(',')
                .Append(Field(rejection.Email ?? "")).Append(',')
                .Append(KindName(rejection.Kind)).Append(',')
                .Append(Field(rejection.Reason)).Append(',')
                .Append(rejection.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
                .Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>The kind as the API names it (<c>invalidEmail</c>).</summary>
    public static string KindName(RejectionKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    public static string Field(string value)
    {
        if (value.Length > 0 && IsFormulaStart(value[0]))
        {
            value = "'" + value;
        }

        // A reader that splits on ';' (or ',') or on line breaks ignores our quotes mid-field: neutralise what would start a cell there too.
        value = AfterSeparator().Replace(value, "$1'$2");

        var quote = value.AsSpan().IndexOfAny(",;\"\r\n") >= 0 || (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])));
        return quote ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    [GeneratedRegex("([,;\r\n])([=+\\-@\t\r])")]
    private static partial Regex AfterSeparator();

    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';
}
