using Snapshots.Local;

await LocalRuntimeCommand.RunAsync(args);
