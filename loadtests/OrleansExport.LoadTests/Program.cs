using OrleansExport.LoadTests;

return await LoadTestCommand.Create().Parse(args).InvokeAsync();
