using System.Diagnostics;
using System.Net.Http.Headers;
using Snapshots.Access;
using Snapshots.Local.Durable;
using Snapshots.Local.Emulators;

namespace Snapshots.Tests.Support;

/// <summary>
/// The local runtime as a process of its own, attached to emulators the test started, so the test can SIGKILL it
/// midway and start it again on the same data (the emulators and the durable task hub in Azurite outlive it). With
/// <c>passBatches</c> it is the test assembly's own host (<see cref="TestAssemblyEntryPoint"/>), whose operations stop
/// after that many document batches.
/// </summary>
public sealed class LocalRuntimeProcess : IAsyncDisposable
{
    private readonly Process process;

    private LocalRuntimeProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static Task<LocalRuntimeProcess> StartAsync(EmulatorEndpoints emulators, int? passBatches = null)
    {
        string[] host = passBatches is { } pass
            ? [typeof(TestAssemblyEntryPoint).Assembly.Location, TestAssemblyEntryPoint.LocalRuntimeVerb, TestAssemblyEntryPoint.PassBatchesOption, pass.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : [LocalRuntimeDll];
        return StartAsync([.. host, "--emulators", $"{emulators.BlobPort},{emulators.QueuePort},{emulators.TablePort},{emulators.CosmosPort}"]);
    }

    /// <summary>The local runtime as a user starts it: with its own emulators, here on <paramref name="dataDirectory"/>.</summary>
    public static Task<LocalRuntimeProcess> StartWithEmulatorsAsync(string dataDirectory) =>
        StartAsync([LocalRuntimeDll, "--data", dataDirectory]);

    private static string LocalRuntimeDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(RepositoryPaths.Root, "src", "Snapshots.Local", "bin", configuration, "net10.0", "Snapshots.Local.dll");
        }
    }

    private static async Task<LocalRuntimeProcess> StartAsync(string[] arguments)
    {
        var port = EmulatorSet.FreeLoopbackPorts(1)[0];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["Snapshots__Orchestration__FirstRetrySeconds"] = ServiceFixture.FirstRetrySeconds;
        start.Environment[DurableBackendOptions.MaxQueuePollingVariable] = ((int)TestDurablePolling.MaxQueuePollingInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var argument in (string[])
        [
            .. arguments, "--no-demo", "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning", $"--{TimerFunctionsDisable}=true",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address };
        await Eventually.ReturnsAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The local runtime exited with {process.ExitCode} during start-up.");
            }

            try
            {
                return (await http.GetAsync("/api/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
        return new LocalRuntimeProcess(process, address);
    }

    private const string TimerFunctionsDisable = "LocalRuntime:DisableTimers";

    /// <summary>A client with an environment admin's development token (the runtime reads the same per-user key).</summary>
    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        var key = DevelopmentTokens.LoadOrCreateKey(DevelopmentTokens.DefaultKeyPath);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            DevelopmentTokens.Mint(key, new DevelopmentTokenRequest("reliability-test") { EnvironmentRoles = [EnvironmentRoles.Admin] }));
        return client;
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing the process could still do.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>SIGINT, as Ctrl-C sends it: the runtime shuts down in order.</summary>
    public async Task InterruptAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"SIGINT to {process.Id} failed.");
            }
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }
}
