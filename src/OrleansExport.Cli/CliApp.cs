using System.CommandLine;
using System.Text.Json;
using OrleansExport.Cli.Commands;
using Spectre.Console;

namespace OrleansExport.Cli;

/// <summary>
/// <c>orleans-export</c>: an admin CLI over the OrleansExport HTTP API. Every command takes <c>--url</c> and
/// <c>--key</c> (or <c>ORLEANSEXPORT_URL</c> / <c>ORLEANSEXPORT_KEY</c>) and <c>--json</c>.
/// </summary>
public sealed class CliApp(CliHost host)
{
    public const string UrlVariable = "ORLEANSEXPORT_URL";
    public const string KeyVariable = "ORLEANSEXPORT_KEY";
    public const string DefaultUrl = "http://localhost:5000";

    private readonly Option<string?> _url = new("--url")
    {
        Description = $"The OrleansExport API address (default: ${UrlVariable}, else {DefaultUrl}).",
        Recursive = true,
    };

    private readonly Option<string?> _key = new("--key")
    {
        Description = $"An OrleansExport API key (default: ${KeyVariable}).",
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the API's JSON answer instead of a table.",
        Recursive = true,
    };

    public CliHost Host => host;

    public static Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default) =>
        new CliApp(host).RunAsync(args, cancellationToken);

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Operate OrleansExport through its HTTP API: connections, segments, exports, runs, rejections, events.")
        {
            _url, _key, _json,
        };
        root.Subcommands.Add(ConnectionsCommands.Create(this));
        root.Subcommands.Add(SegmentsCommands.Create(this));
        root.Subcommands.Add(ExportsCommands.Create(this));
        root.Subcommands.Add(RunsCommands.Create(this));
        root.Subcommands.Add(RejectionsCommand.Create(this));
        root.Subcommands.Add(EventsCommands.Create(this));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                host.Error.WriteLine($"error: {TerminalText.Clean(error.Message)}");
            }

            host.Error.WriteLine("Try 'orleans-export --help'.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = host.Output, Error = host.Error }, cancellationToken);
    }

    /// <summary>Gives <paramref name="command"/> an action with an API client, turning failures into a message and an exit code.</summary>
    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parsed, cancellationToken) =>
        {
            try
            {
                var url = parsed.GetValue(_url) ?? host.Environment(UrlVariable) ?? DefaultUrl;
                if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
                {
                    throw new UsageException($"--url '{url}' is not an http(s) address.");
                }

                var key = parsed.GetValue(_key) ?? host.Environment(KeyVariable);
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw new UsageException($"No API key: pass --key or set {KeyVariable}.");
                }

                using var api = new ApiClient(baseAddress, key);
                return await action(new CommandContext(parsed, api, host, parsed.GetValue(_json)), cancellationToken);
            }
            catch (UsageException exception)
            {
                return Fail(ExitCodes.Usage, exception.Message);
            }
            catch (ApiException exception)
            {
                return Fail(ExitCodes.Refused, exception.Field is null ? exception.Message : $"{exception.Message} (field: {exception.Field})");
            }
            catch (HttpRequestException exception)
            {
                return Fail(ExitCodes.Unavailable, exception.Message);
            }
            catch (Exception exception) when (exception is JsonException or TaskCanceledException)
            {
                return Fail(ExitCodes.Unavailable, $"unexpected answer from the API: {exception.Message}");
            }
        });

    private int Fail(int exitCode, string message)
    {
        host.Error.WriteLine($"error: {TerminalText.Clean(message)}");
        return exitCode;
    }
}

/// <summary>A command line that parses but cannot be carried out (no key, unreadable file, bad value).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What a command's action works with.</summary>
public sealed record CommandContext(ParseResult Parsed, ApiClient Api, CliHost Host, bool Json)
{
    public IAnsiConsole Out => Host.Out;

    public T Get<T>(Option<T> option) => Parsed.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => Parsed.GetValue(argument)!;

    /// <summary>Whether the command line names <paramref name="option"/> (a default value does not count).</summary>
    public bool Given(Option option) => Parsed.GetResult(option) is { Implicit: false };

    /// <summary>The raw JSON with <c>--json</c>, else what <paramref name="render"/> draws.</summary>
    public int Show(string json, Action render)
    {
        if (Json)
        {
            Host.Output.WriteLine(json);
        }
        else
        {
            render();
        }

        return ExitCodes.Ok;
    }
}
