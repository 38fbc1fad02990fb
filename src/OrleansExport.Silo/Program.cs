using OrleansExport.Silo.Hosting;

// The production host. The demo, with the ActiveCampaign simulator in-process, is a host of its own.
return await SiloApp.RunAsync(args, started: app =>
{
    if (app.Environment.IsDevelopment())
    {
        Console.WriteLine("This host runs no demo: dotnet run --project src/OrleansExport.Demo runs it (this silo with the ActiveCampaign simulator in-process, generated events and an export).");
    }
});
