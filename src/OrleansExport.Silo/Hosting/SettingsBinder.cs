using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// Configuration binding whose conversion errors read like the validators' ("Orleans:SiloPort is 'x'; use a whole
/// number.") and are thrown as the same <see cref="OptionsValidationException"/>, so the host reports both alike.
/// </summary>
public static partial class SettingsBinder
{
    public static T Get<T>(IConfiguration configuration) where T : new()
    {
        try
        {
            return configuration.Get<T>() ?? new T();
        }
        catch (InvalidOperationException exception) when (ConversionFailure().Match(exception.Message) is { Success: true } match)
        {
            var type = match.Groups["type"].Value;
            var what = type.Contains("Boolean") ? "true or false"
                : type.Contains("Int32") || type.Contains("Int64") ? "a whole number"
                : type.Contains("TimeSpan") ? "a duration such as 00:00:30"
                : $"a value of type {type}";
            throw new OptionsValidationException(typeof(T).Name, typeof(T), [$"{match.Groups["key"].Value} is '{match.Groups["value"].Value}'; use {what}."]);
        }
    }

    [GeneratedRegex(@"configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex ConversionFailure();
}
