using OrleansExport.Demo;
using OrleansExport.Silo.Hosting;

// The silo's host with the demo added: the ActiveCampaign simulator in-process, generated events, an export.
// Its content root is its output folder, wherever it is started from: the silo's appsettings.json (the log levels)
// is copied there; in Development the console's files come from the silo's wwwroot (the static web assets manifest).
return await SiloApp.RunAsync([$"--contentRoot={AppContext.BaseDirectory}", .. args], new DemoExtension());
