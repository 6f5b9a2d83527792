using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Snapshots.Local.Emulators;

/// <summary>Where the emulators come from and where they keep their data.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The folder with the emulators' package.json and package-lock.json; found from the working directory when null.</summary>
    public string? EmulatorsDirectory { get; init; }

    /// <summary>Where Azurite persists its data and the Cosmos emulator its journal (<c>cosmos/journal.ndjson</c>).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Flush every Cosmos write to the disk before answering it (survives power loss; slower).</summary>
    public bool FlushEveryWrite { get; init; }

    /// <summary>Keep the Cosmos emulator's data in its journal (default); off only to measure what the journal costs.</summary>
    public bool Journal { get; init; } = true;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Start empty: the emulators' data in <see cref="DataDirectory"/> is removed first (once nobody else uses it).</summary>
    public bool Reset { get; init; }
}

/// <summary>
/// Azurite and the Cosmos DB emulator, installed with <c>npm ci</c> when missing and started on free loopback
/// ports. An emulator that dies while the set runs is started again on its port, on its data (a supervisor checks
/// twice a second); meanwhile the service answers 503. Disposing stops both; nothing already running is reused.
/// </summary>
public sealed partial class EmulatorSet : IAsyncDisposable
{
    private readonly List<EmulatorProcess> processes;
    private readonly List<EmulatorLaunch> launches;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task supervisor;
    private readonly string dataDirectory;
    private readonly IDisposable folderLock;

    private EmulatorSet(EmulatorEndpoints endpoints, List<EmulatorProcess> processes, List<EmulatorLaunch> launches, string directory, string dataDirectory, IDisposable folderLock, ILogger logger)
    {
        this.folderLock = folderLock;
        Endpoints = endpoints;
        this.processes = processes;
        this.launches = launches;
        this.dataDirectory = dataDirectory;
        supervisor = SuperviseAsync(directory, logger, stopping.Token);
    }

    public EmulatorEndpoints Endpoints { get; }

    public IReadOnlyList<int> ProcessIds
    {
        get
        {
            lock (processes)
            {
                return processes.Select(p => p.Id).ToList();
            }
        }
    }

    /// <summary>How often an emulator was started again after it died.</summary>
    public int Restarts { get; private set; }

    /// <summary>How to start one emulator again: its name, script, arguments and the port it must listen on.</summary>
    private sealed record EmulatorLaunch(string Name, string Script, string[] Arguments, int Port);

    private async Task SuperviseAsync(string directory, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(500, cancellationToken);
                for (var i = 0; i < launches.Count; i++)
                {
                    if (!processes[i].HasExited || cancellationToken.IsCancellationRequested)
                    {
                        continue;
                    }

                    var launch = launches[i];
                    LogRestarting(logger, launch.Name);
                    await processes[i].DisposeAsync();
                    var restarted = EmulatorProcess.Start(launch.Name, directory, launch.Script, launch.Arguments, logger);
                    lock (processes)
                    {
                        processes[i] = restarted;
                    }

                    DataFolderOwner.Record(dataDirectory, ProcessIds);

                    await WaitUntilListeningAsync([restarted], [launch.Port], TimeSpan.FromSeconds(60), cancellationToken);
                    Restarts++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSupervisorFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Emulator} emulator died; starting it again on its port and data")]
    private static partial void LogRestarting(ILogger logger, string emulator);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting an emulator failed: {Error}; the service answers 503 for it until it is back")]
    private static partial void LogSupervisorFailed(ILogger logger, string error);

    public static async Task<EmulatorSet> StartAsync(EmulatorOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        var directory = options.EmulatorsDirectory ?? LocateEmulatorsDirectory();
        await NpmInstaller.EnsureInstalledAsync(directory, logger, cancellationToken);

        Directory.CreateDirectory(options.DataDirectory);
        var folderLock = DataFolderOwner.Lock(options.DataDirectory);
        try
        {
            await DataFolderOwner.WaitForPreviousAsync(options.DataDirectory, logger, cancellationToken);
            if (options.Reset)
            {
                foreach (var folder in new[] { "azurite", "cosmos" }.Select(f => Path.Combine(options.DataDirectory, f)).Where(Directory.Exists))
                {
                    Directory.Delete(folder, recursive: true);
                }

                logger.LogInformation("Removed the emulators' data in {DataDirectory}: starting with no data.", options.DataDirectory);
            }

            return await StartLockedAsync(options, directory, folderLock, logger, cancellationToken);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    private static async Task<EmulatorSet> StartLockedAsync(EmulatorOptions options, string directory, IDisposable folderLock, ILogger logger, CancellationToken cancellationToken)
    {
        var ports = FreeLoopbackPorts(4);
        var endpoints = new EmulatorEndpoints(ports[0], ports[1], ports[2], ports[3]);
        var azuriteData = Path.Combine(options.DataDirectory, "azurite");
        Directory.CreateDirectory(azuriteData);
        var cosmosData = Path.Combine(options.DataDirectory, "cosmos");
        Directory.CreateDirectory(cosmosData);

        // Our launcher of @vercel/cosmosdb-server: keep-alive, partition-scoped queries, 404 point reads, and a
        // journal of every write replayed at start, so the data survives a restart (see the script).
        string[] cosmosArguments = options.Journal
            ? ["--host", "127.0.0.1", "--port", ports[3].ToString(), "--journal", Path.Combine(cosmosData, "journal.ndjson")]
            : ["--host", "127.0.0.1", "--port", ports[3].ToString()];
        var launches = new List<EmulatorLaunch>
        {
            // Our launcher of Azurite: blob lookups and deletes that cost the same at any number of blobs (see the script).
            new("azurite", "azurite.js",
            [
                "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
                "--location", azuriteData,
                "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(),
            ], ports[0]),
            new("cosmos", "cosmosdb-server.js", options.FlushEveryWrite ? [.. cosmosArguments, "--fsync"] : cosmosArguments, ports[3]),
        };

        var started = new List<EmulatorProcess>();
        try
        {
            foreach (var launch in launches)
            {
                started.Add(EmulatorProcess.Start(launch.Name, directory, launch.Script, launch.Arguments, logger));
            }

            await WaitUntilListeningAsync(started, ports, options.StartTimeout, cancellationToken);
            logger.LogInformation(
                "Emulators ready: blob 127.0.0.1:{Blob}, queue {Queue}, table {Table}, Cosmos https://127.0.0.1:{Cosmos}",
                ports[0], ports[1], ports[2], ports[3]);
            DataFolderOwner.Record(options.DataDirectory, started.Select(p => p.Id));
            return new EmulatorSet(endpoints, started, launches, directory, options.DataDirectory, folderLock, logger);
        }
        catch
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await supervisor;
        stopping.Dispose();
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        DataFolderOwner.Release(dataDirectory);
        folderLock.Dispose();
    }

    /// <summary>Walks up from the working directory and the app's folder to the repository's <c>emulators/</c>.</summary>
    public static string LocateEmulatorsDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "emulators");
                if (File.Exists(Path.Combine(candidate, "package-lock.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("Could not find the emulators/ folder (with package-lock.json) above the working directory.");
    }

    /// <summary>Loopback ports free now, all different (the emulators', and a local runtime started by a test or the benchmark).</summary>
    public static int[] FreeLoopbackPorts(int count)
    {
        // Hold all listeners until every port is chosen so the same port is not handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static async Task WaitUntilListeningAsync(IReadOnlyList<EmulatorProcess> processes, int[] ports, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var pending = ports.ToHashSet();
        while (pending.Count > 0)
        {
            if (processes.FirstOrDefault(p => p.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"An emulator (pid {exited.Id}) exited during start-up; run with Logging:LogLevel:Default=Debug to see its output.");
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"Emulators did not listen on ports {string.Join(", ", pending)} within {timeout.TotalSeconds:0} s.");
            }

            foreach (var port in pending.ToList())
            {
                if (await IsListeningAsync(port, cancellationToken))
                {
                    pending.Remove(port);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
