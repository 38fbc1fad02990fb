using Microsoft.Extensions.Options;
using OrleansExport.Simulator;

var builder = WebApplication.CreateBuilder(args);

// No appsettings.json: the silo references this project and would get a second one. Per-request logs are noise here.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://localhost:5080");
}

builder.Services.AddActiveCampaignSimulator(builder.Configuration);

var app = builder.Build();
app.MapActiveCampaignSimulator();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var options = app.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value;
    app.Logger.LogInformation(
        "ActiveCampaign simulator listening on {Urls}; API keys: {ApiKeys}; lists: {ListIds}; time scale: {TimeScale}",
        string.Join(", ", app.Urls), string.Join(", ", options.ApiKeys), string.Join(", ", options.ListIds), options.TimeScale);
});
app.Run();
