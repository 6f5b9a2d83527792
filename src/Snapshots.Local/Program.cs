using Snapshots.Local;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;

// The local runtime: starts the emulators, the durable backend and the Functions app's functions on
// http://localhost:7071 (like the Functions host). Ctrl-C stops everything it started.
using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
    .AddFilter("DurableTask", LogLevel.Warning)
    .AddFilter("Microsoft.DurableTask", LogLevel.Warning));
var logger = loggerFactory.CreateLogger("Snapshots.Local");

var emulatorsDirectory = EmulatorSet.LocateEmulatorsDirectory();
var dataDirectory = Path.Combine(Path.GetDirectoryName(emulatorsDirectory)!, ".local-data");
var loadDemo = !args.Contains("--no-demo");
args = [.. args.Where(a => a != "--no-demo")];
var runtimeArgs = args.Contains("--urls") || args.Any(a => a.StartsWith("--urls=", StringComparison.Ordinal))
    ? args
    : [.. args, "--urls", "http://localhost:7071"];

await using var emulators = await EmulatorSet.StartAsync(
    new EmulatorOptions { EmulatorsDirectory = emulatorsDirectory, DataDirectory = dataDirectory }, logger);
await using var durable = await LocalDurableBackend.StartAsync(
    new DurableBackendOptions { StorageConnectionString = emulators.Endpoints.StorageConnectionString }, loggerFactory);

var app = LocalRuntime.Build(new LocalRuntimeOptions { Args = runtimeArgs, Emulators = emulators.Endpoints, Durable = durable });
app.Lifetime.ApplicationStarted.Register(() =>
{
    logger.LogInformation("Snapshot service running at {Urls} (try {Health}). Press Ctrl-C to stop.",
        string.Join(", ", app.Urls), app.Urls.First() + "/api/health");
    if (loadDemo)
    {
        _ = LoadDemoAsync();
    }
});
await app.RunAsync();

async Task LoadDemoAsync()
{
    try
    {
        await app.Services.GetRequiredService<DemoProjectLoader>().LoadAsync(Path.GetDirectoryName(emulatorsDirectory)!, app.Lifetime.ApplicationStopping);
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        logger.LogError("Loading the demo project failed: {Error}", ex.Message);
    }
}
