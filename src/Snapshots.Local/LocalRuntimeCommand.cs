using Snapshots.Access;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;

namespace Snapshots.Local;

/// <summary>
/// The local runtime as a command: starts the emulators (or attaches to running ones), the durable backend and the
/// Functions app's functions on http://localhost:7071 (like the Functions host), loads the demo project, and runs
/// until Ctrl-C. The reliability tests run the same command in a process of their own with an activity filter added.
/// </summary>
public static class LocalRuntimeCommand
{
    public static async Task RunAsync(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Warning)
            .AddFilter("Microsoft.DurableTask", LogLevel.Warning));
        var logger = loggerFactory.CreateLogger("Snapshots.Local");

        var emulatorsDirectory = EmulatorSet.LocateEmulatorsDirectory();
        // --data <folder> keeps the emulators' data elsewhere than the repository's .local-data/.
        var dataIndex = Array.IndexOf(args, "--data");
        if (dataIndex >= 0 && (dataIndex + 1 >= args.Length || args[dataIndex + 1].StartsWith("--", StringComparison.Ordinal)))
        {
            throw new LocalRuntimeStartException("--data needs a folder: --data <folder>.");
        }

        var dataDirectory = dataIndex >= 0
            ? Path.GetFullPath(args[dataIndex + 1])
            : Path.Combine(Path.GetDirectoryName(emulatorsDirectory)!, ".local-data");
        if (dataIndex >= 0)
        {
            args = [.. args.Take(dataIndex), .. args.Skip(dataIndex + 2)];
        }

        var loadDemo = !args.Contains("--no-demo");
        // The emulators keep their data across restarts (Azurite's files, the Cosmos journal); --reset starts empty,
        // removing only the emulators' own folders, and only once no other runtime uses the folder.
        var reset = args.Contains("--reset");
        args = [.. args.Where(a => a is not ("--no-demo" or "--reset"))];

        // --emulators blob,queue,table,cosmos attaches to emulators already running on those loopback ports (the
        // benchmark and the kill tests start them and run this process alone); by default the runtime starts its own.
        var attachIndex = Array.IndexOf(args, "--emulators");
        EmulatorEndpoints? attached = null;
        if (attachIndex >= 0 && attachIndex + 1 < args.Length)
        {
            var ports = args[attachIndex + 1].Split(',').Select(int.Parse).ToArray();
            attached = new EmulatorEndpoints(ports[0], ports[1], ports[2], ports[3]);
            args = [.. args.Take(attachIndex), .. args.Skip(attachIndex + 2)];
        }

        var runtimeArgs = args.Contains("--urls") || args.Any(a => a.StartsWith("--urls=", StringComparison.Ordinal))
            ? args
            : [.. args, "--urls", "http://localhost:7071"];

        await using var emulators = attached is null
            ? await EmulatorSet.StartAsync(new EmulatorOptions { EmulatorsDirectory = emulatorsDirectory, DataDirectory = dataDirectory, Reset = reset }, logger)
            : null;
        var endpoints = attached ?? emulators!.Endpoints;
        await using var durable = await LocalDurableBackend.StartAsync(
            new DurableBackendOptions
            {
                StorageConnectionString = endpoints.StorageConnectionString,
                MaxQueuePollingInterval = DurableBackendOptions.MaxQueuePollingIntervalFromEnvironment(),
            }, loggerFactory);

        // Local tokens are signed with a per-user key made on first start; the CLI reads the same file to mint them.
        var signingKey = DevelopmentTokens.LoadOrCreateKey(DevelopmentTokens.DefaultKeyPath);
        var app = LocalRuntime.Build(new LocalRuntimeOptions
        {
            Args = runtimeArgs,
            Emulators = endpoints,
            Durable = durable,
            Settings = new Dictionary<string, string?> { [$"{AuthOptions.SectionName}:{nameof(AuthOptions.DevelopmentSigningKey)}"] = signingKey },
            ConfigureServices = configureServices,
        });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            logger.LogInformation("Snapshot service running at {Urls} (try {Health}). Press Ctrl-C to stop.",
                string.Join(", ", app.Urls), app.Urls.First() + "/api/health");
            logger.LogInformation("Snapshots page: {Page}", app.Urls.First() + "/api/ui");
            logger.LogInformation("Every API call needs a bearer token. The CLI uses a local admin token by itself; for curl: " +
                "TOKEN=$(dotnet run --project src/Snapshots.Cli -- token --admin) and -H \"Authorization: Bearer $TOKEN\".");
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
    }
}
