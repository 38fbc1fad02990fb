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
        string? id = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.CreateListRequest))?.Id;
        if (string.IsNullOrWhiteSpace(id))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"id\":\"<list id>\"}.");
            return;
        }

        int status = state.AddList(id) ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await context.WriteJsonAsync(status, new ListCreated(id), SimulatorJson.Default.ListCreated);
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
