using Snapshots.Cli;

return await CliApp.RunAsync(args, CliEnvironment.Console);
