using System.Diagnostics;
using Snapshots.Local.Emulators;

namespace Snapshots.Tests.Support;

/// <summary>
/// The local runtime as a process of its own, attached to emulators the test started, so the test can SIGKILL it
/// midway and start it again on the same data (the emulators and the durable task hub in Azurite outlive it).
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

    public static async Task<LocalRuntimeProcess> StartAsync(EmulatorEndpoints emulators)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(RepositoryPaths.Root, "src", "Snapshots.Local", "bin", configuration, "net10.0", "Snapshots.Local.dll");
        var port = EmulatorSet.FreeLoopbackPorts(1)[0];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            dll, "--no-demo", "--urls", $"http://127.0.0.1:{port}",
            "--emulators", $"{emulators.BlobPort},{emulators.QueuePort},{emulators.TablePort},{emulators.CosmosPort}",
            "--Logging:LogLevel:Default=Warning", $"--{TimerFunctionsDisable}=true",
        })
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

    /// <summary>SIGKILL: no shutdown, no flush, nothing the process could still do.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
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
