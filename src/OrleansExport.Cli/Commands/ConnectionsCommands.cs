using System.CommandLine;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class ConnectionsCommands
{
    public const string ActiveCampaignKeyVariable = "ACTIVECAMPAIGN_API_KEY";

    public static Command Create(CliApp cli) => new("connections", "ActiveCampaign accounts: credentials and who may use them.")
    {
        Add(cli),
        List(cli),
    };

    private static Command Add(CliApp cli)
    {
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var hostname = new Option<string>("--hostname") { Description = "The account's API host, e.g. acme.api-us1.com.", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = $"The account's API key (default: ${ActiveCampaignKeyVariable}, which keeps it out of the shell history)." };
        var allowContributors = new Option<bool>("--allow-contributors") { Description = "Let contributors export through this connection." };
        var consent = new Option<bool>("--data-privacy-consent") { Description = "Confirm that sending profile data to this account is allowed (required)." };
        var profileCap = new Option<long?>("--profile-cap") { Description = "At most this many distinct profiles across the connection's exports." };
        var command = new Command("add", "Connect an ActiveCampaign account; the key is verified against ActiveCampaign first.")
        {
            name, hostname, apiKey, allowContributors, consent, profileCap,
        };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var key = context.Get(apiKey) ?? context.Host.Environment(ActiveCampaignKeyVariable)
                ?? throw new UsageException($"No ActiveCampaign key: pass --api-key or set {ActiveCampaignKeyVariable}.");
            var json = await context.Api.PostAsync("/api/connections", new
            {
                displayName = context.Get(name),
                hostname = context.Get(hostname),
                apiKey = key,
                allowContributors = context.Get(allowContributors),
                dataPrivacyConsent = context.Get(consent),
                profileCap = context.Get(profileCap),
            }, cancellationToken);
            return context.Show(json, () =>
            {
                var connection = ApiClient.Read<ConnectionView>(json);
                context.Out.MarkupLineInterpolated($"Connection [bold]{connection.Id}[/] created: {TerminalText.Clean(connection.DisplayName)} at {connection.Hostname} (key {connection.ApiKeyHint}).");
            });
        });
        return command;
    }

    private static Command List(CliApp cli)
    {
        var command = new Command("list", "The connections this key may see (API keys masked).");
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync("/api/connections", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Id", "Name", "Host", "Key", "Contributors", "Profile cap", "Export users");
                foreach (var c in ApiClient.Read<List<ConnectionView>>(json))
                {
                    table.AddRow(Cells.Of(c.Id, c.DisplayName, c.Hostname, c.ApiKeyHint, c.AllowContributors ? "yes" : "no",
                        c.ProfileCap?.ToString("N0") ?? "-", string.Join(", ", c.ExportUsers)));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }
}
