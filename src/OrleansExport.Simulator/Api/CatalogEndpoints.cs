using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary><c>lists</c>, <c>fields</c> and <c>tags</c>: the account's paged collections, and tag creation.</summary>
internal sealed class CatalogEndpoints(SimulatorState state)
{
    public Task GetListsAsync(HttpContext context)
    {
        var page = state.GetLists(Paging.From(context.Request.Query));
        return context.WriteJsonAsync(
            StatusCodes.Status200OK,
            new ListsPage([.. page.Items.Select(ListBodyOf)], Meta(page.Total)),
            SimulatorJson.Default.ListsPage);
    }

    public Task GetFieldsAsync(HttpContext context)
    {
        var page = state.GetFields(Paging.From(context.Request.Query));
        return context.WriteJsonAsync(
            StatusCodes.Status200OK,
            new FieldsPage([.. page.Items.Select(f => new FieldBody(f.Id, f.Title, f.Type, f.Perstag))], Meta(page.Total)),
            SimulatorJson.Default.FieldsPage);
    }

    /// <summary><c>?search=</c> is a contains-match, like ActiveCampaign's: "vip" finds "VIP gold" too.</summary>
    public Task GetTagsAsync(HttpContext context)
    {
        var page = state.GetTags(context.Request.Query["search"], Paging.From(context.Request.Query));
        return context.WriteJsonAsync(
            StatusCodes.Status200OK,
            new TagsPage([.. page.Items.Select(TagBodyOf)], Meta(page.Total)),
            SimulatorJson.Default.TagsPage);
    }

    /// <remarks>
    /// A name that exists already (in any case) fails as ActiveCampaign's does, naming its unique key <c>typetag</c>;
    /// the status (422 with an <c>errors</c> array) is the simulator's choice, the docs give only the message.
    /// </remarks>
    public async Task CreateTagAsync(HttpContext context)
    {
        var body = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.TagRequest))?.Tag;
        if (body is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"tag\":{\"tag\":\"...\",\"tagType\":\"contact\"}}.");
            return;
        }

        string? name = body.Tag?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            await context.WriteErrorAsync("Tag name is required.", "field_missing", "/data/attributes/tag");
            return;
        }

        string tagType = body.TagType ?? "contact";
        if (tagType is not ("contact" or "template"))
        {
            await context.WriteErrorAsync("Tag type must be contact or template.", "field_invalid", "/data/attributes/tagType");
            return;
        }

        if (state.CreateTag(name, tagType, body.Description ?? "") is not { } tag)
        {
            await context.WriteErrorAsync($"Duplicate entry '{tagType}-{name}' for key 'typetag'", "duplicate", "/data/attributes/tag");
            return;
        }

        await context.WriteJsonAsync(StatusCodes.Status201Created, new TagEnvelope(TagBodyOf(tag)), SimulatorJson.Default.TagEnvelope);
    }

    public static ListBody ListBodyOf(SimList list) => new(list.Id, list.Name, $"list-{list.Id}");

    private static TagBody TagBodyOf(SimTag tag) => new(tag.Id, tag.Tag, tag.TagType, tag.Description);

    private static PageMeta Meta(int total) => new(total.ToString(CultureInfo.InvariantCulture));
}
