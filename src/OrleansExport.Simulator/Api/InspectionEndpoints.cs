using System.ComponentModel.DataAnnotations;

namespace OrleansExport.Simulator;

/// <summary><c>/_sim</c>: inspection and control for tests and operators. No key, no rate limit.</summary>
internal sealed class InspectionEndpoints(SimulatorState state)
{
    public Task GetListContactsAsync(HttpContext context)
    {
        string listId = context.RouteValue("listId")!;
        return state.ListExists(listId)
            ? context.WriteJsonAsync(StatusCodes.Status200OK, state.GetListContacts(listId), SimulatorJson.Default.IReadOnlyListSimContact)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for List with id {listId}");
    }

    /// <summary>The latest webhook deliveries and their outcome, oldest first.</summary>
    public Task GetWebhookDeliveriesAsync(HttpContext context) =>
        context.WriteJsonAsync(StatusCodes.Status200OK, state.GetWebhookDeliveries(), SimulatorJson.Default.IReadOnlyListSimWebhookDelivery);

    public Task GetStatsAsync(HttpContext context) =>
        context.WriteJsonAsync(StatusCodes.Status200OK, state.GetStats(), SimulatorJson.Default.SimulatorStats);

    public Task ResetAsync(HttpContext context)
    {
        state.Reset();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public async Task CreateListAsync(HttpContext context)
    {
        var request = await context.ReadJsonOrNullAsync(SimulatorJson.Default.CreateListRequest);
        if (string.IsNullOrWhiteSpace(request?.Id))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"id\":\"<list id>\",\"name\":\"<optional name>\"}.");
            return;
        }

        int status = state.AddList(request.Id, request.Name) ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await context.WriteJsonAsync(status, new ListCreated(request.Id), SimulatorJson.Default.ListCreated);
    }

    public async Task CreateFieldAsync(HttpContext context)
    {
        var request = await context.ReadJsonOrNullAsync(SimulatorJson.Default.CreateFieldRequest);
        if (string.IsNullOrWhiteSpace(request?.Title))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"title\":\"<field title>\",\"type\":\"text\"}.");
            return;
        }

        var field = state.AddField(request.Title, string.IsNullOrWhiteSpace(request.Type) ? "text" : request.Type);
        await context.WriteJsonAsync(StatusCodes.Status201Created, new FieldCreated(field.Id), SimulatorJson.Default.FieldCreated);
    }

    /// <summary>How many keys are valid and revoked; the keys themselves are never shown.</summary>
    public Task GetApiKeysAsync(HttpContext context) => WriteApiKeysAsync(context, StatusCodes.Status200OK);

    /// <summary>Makes a key valid (a new one, or a revoked one again): 201 when it was not valid before, else 200.</summary>
    public async Task AddApiKeyAsync(HttpContext context)
    {
        string? key = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.ApiKeyRequest))?.Key;
        if (string.IsNullOrWhiteSpace(key))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"key\":\"<api key>\"}.");
            return;
        }

        await WriteApiKeysAsync(context, state.AddApiKey(key) ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private Task WriteApiKeysAsync(HttpContext context, int status)
    {
        var (valid, revoked) = state.CountApiKeys();
        return context.WriteJsonAsync(status, new ApiKeysView(valid, revoked), SimulatorJson.Default.ApiKeysView);
    }

    /// <summary>Revokes a valid key: from now on requests with it get the HTML login page.</summary>
    public Task RevokeApiKeyAsync(HttpContext context)
    {
        if (!state.RevokeApiKey(context.RouteValue("key")!))
        {
            return context.WriteMessageAsync(StatusCodes.Status404NotFound, "No valid key like that.");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public Task GetFaultsAsync(HttpContext context) =>
        context.WriteJsonAsync(StatusCodes.Status200OK, state.Faults.View(), SimulatorJson.Default.FaultsView);

    /// <summary>Replaces the faults in force (a 429 storm starts now); answers what is now in force.</summary>
    public async Task SetFaultsAsync(HttpContext context)
    {
        var faults = await context.ReadJsonOrNullAsync(SimulatorJson.Default.SimulatorFaults);
        if (faults is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body such as {\"errorRate\":0.1,\"throttleStormDuration\":\"00:00:30\"}.");
            return;
        }

        try
        {
            state.Faults.Set(faults);
        }
        catch (ValidationException exception)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, exception.Message);
            return;
        }

        await GetFaultsAsync(context);
    }

    public Task ClearFaultsAsync(HttpContext context)
    {
        state.Faults.Set(new SimulatorFaults());
        return GetFaultsAsync(context);
    }
}
