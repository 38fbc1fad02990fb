using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansExport.Simulator;

/// <summary>Registers and maps the ActiveCampaign simulator in any ASP.NET Core host.</summary>
public static class SimulatorExtensions
{
    /// <summary>
    /// Registers the simulator's state, with <see cref="SimulatorOptions"/> bound from the <c>Simulator</c> section of
    /// <paramref name="configuration"/> and validated at start. Uses the container's <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    public static IServiceCollection AddActiveCampaignSimulator(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SimulatorOptions.SectionName);
        services.AddOptions<SimulatorOptions>()
            .Configure(options => BindReplacingLists(section, options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SimulatorState(
            sp.GetRequiredService<IOptions<SimulatorOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Maps the ActiveCampaign API v3 endpoints under <c>/api/3</c> and the inspection endpoints under <c>/_sim</c>.
    /// Needs a <see cref="SimulatorState"/> registered, normally by <see cref="AddActiveCampaignSimulator"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapActiveCampaignSimulator(this IEndpointRouteBuilder endpoints)
    {
        var state = endpoints.ServiceProvider.GetRequiredService<SimulatorState>();
        var gate = new AccountGate(state);
        var account = new AccountEndpoints(state);
        var imports = new ImportEndpoints(state);
        var contacts = new ContactEndpoints(state);
        var catalog = new CatalogEndpoints(state);
        endpoints.MapGet("/api/3/users/me", gate.Guard(account.GetMeAsync));
        endpoints.MapGet("/api/3/lists", gate.Guard(catalog.GetListsAsync));
        endpoints.MapGet("/api/3/lists/{id}", gate.Guard(account.GetListAsync));
        endpoints.MapGet("/api/3/fields", gate.Guard(catalog.GetFieldsAsync));
        endpoints.MapGet("/api/3/tags", gate.Guard(catalog.GetTagsAsync));
        endpoints.MapPost("/api/3/tags", gate.Guard(catalog.CreateTagAsync));
        endpoints.MapPost("/api/3/contactTags", gate.Guard(contacts.TagContactAsync));
        endpoints.MapPost("/api/3/import/bulk_import", gate.Guard(imports.BulkImportAsync));
        endpoints.MapGet("/api/3/import/info", gate.Guard(imports.ImportInfoAsync));
        endpoints.MapPost("/api/3/contact/sync", gate.Guard(contacts.SyncAsync));
        endpoints.MapPost("/api/3/contactLists", gate.Guard(contacts.SetListStatusAsync));
        endpoints.MapGet("/api/3/contacts", gate.Guard(contacts.ListAsync));
        endpoints.MapPut("/api/3/contacts/{id}", gate.Guard(contacts.UpdateAsync));
        endpoints.MapDelete("/api/3/contacts/{id}", gate.Guard(contacts.DeleteAsync));
        endpoints.MapGet("/api/3/contacts/{id}/contactLists", gate.Guard(contacts.GetContactListsAsync));

        var webhooks = new WebhookEndpoints(state);
        endpoints.MapPost("/api/3/webhooks", gate.Guard(webhooks.CreateAsync));
        endpoints.MapGet("/api/3/webhooks", gate.Guard(webhooks.ListAsync));
        endpoints.MapGet("/api/3/webhooks/{id}", gate.Guard(webhooks.GetAsync));
        endpoints.MapDelete("/api/3/webhooks/{id}", gate.Guard(webhooks.DeleteAsync));

        var inspection = new InspectionEndpoints(state);
        endpoints.MapGet("/_sim/lists/{listId}/contacts", inspection.GetListContactsAsync);
        endpoints.MapGet("/_sim/stats", inspection.GetStatsAsync);
        endpoints.MapPost("/_sim/reset", inspection.ResetAsync);
        endpoints.MapPost("/_sim/lists", inspection.CreateListAsync);
        endpoints.MapPost("/_sim/fields", inspection.CreateFieldAsync);
        endpoints.MapGet("/_sim/keys", inspection.GetApiKeysAsync);
        endpoints.MapPost("/_sim/keys", inspection.AddApiKeyAsync);
        endpoints.MapDelete("/_sim/keys/{key}", inspection.RevokeApiKeyAsync);
        endpoints.MapGet("/_sim/faults", inspection.GetFaultsAsync);
        endpoints.MapPost("/_sim/faults", inspection.SetFaultsAsync);
        endpoints.MapDelete("/_sim/faults", inspection.ClearFaultsAsync);

        var people = new PeopleEndpoints(state);
        endpoints.MapPost("/_sim/people/{email}/unsubscribe", people.UnsubscribeAsync);
        endpoints.MapPost("/_sim/people/{email}/bounce", people.BounceAsync);
        endpoints.MapPost("/_sim/people/{email}/resubscribe", people.ResubscribeAsync);
        endpoints.MapPut("/_sim/people/{email}/email", people.ChangeEmailAsync);
        endpoints.MapDelete("/_sim/people/{email}", people.DeleteAsync);
        endpoints.MapGet("/_sim/webhooks/deliveries", inspection.GetWebhookDeliveriesAsync);
        return endpoints;
    }

    // The binder appends configured items to a list's defaults; a configured list replaces them instead.
    private static void BindReplacingLists(IConfigurationSection section, SimulatorOptions options)
    {
        section.Bind(options);
        if (section.GetSection(nameof(SimulatorOptions.ApiKeys)).Get<List<string>>() is { } apiKeys)
        {
            options.ApiKeys = apiKeys;
        }

        if (section.GetSection(nameof(SimulatorOptions.ListIds)).Get<List<string>>() is { } listIds)
        {
            options.ListIds = listIds;
        }
    }
}
