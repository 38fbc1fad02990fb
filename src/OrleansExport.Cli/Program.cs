using OrleansExport.Cli;

return await CliApp.RunAsync(args, CliHost.System());
