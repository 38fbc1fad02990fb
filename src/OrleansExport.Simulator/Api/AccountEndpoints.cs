namespace OrleansExport.Simulator;

/// <summary><c>users/me</c> and <c>lists/{id}</c>: what a client uses to verify a key and a list.</summary>
internal sealed class AccountEndpoints(SimulatorState state)
{
    public Task GetMeAsync(HttpContext context) =>
        context.WriteJsonAsync(
            StatusCodes.Status200OK,
            new UserEnvelope(new UserBody("1", "sim", "admin@example.com")),
            SimulatorJson.Default.UserEnvelope);

    public Task GetListAsync(HttpContext context)
    {
        string id = context.RouteValue("id")!;
        return state.FindList(id) is { } list
            ? context.WriteJsonAsync(StatusCodes.Status200OK, new ListEnvelope(CatalogEndpoints.ListBodyOf(list)), SimulatorJson.Default.ListEnvelope)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for List with id {id}");
    }
}
