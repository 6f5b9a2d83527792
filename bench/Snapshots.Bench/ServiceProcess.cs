using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Snapshots.Local.Emulators;

namespace Snapshots.Bench;

/// <summary>The snapshot service (the local runtime) in its own process, attached to the benchmark's emulators.</summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<ActivityRun> activityRuns;

    private ServiceProcess(Process process, Uri address, ConcurrentQueue<ActivityRun> activityRuns)
    {
        this.process = process;
        this.activityRuns = activityRuns;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => process.Id;

    public static async Task<ServiceProcess> StartAsync(string repositoryRoot, EmulatorEndpoints emulators, string taskHub)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(repositoryRoot, "src", "Snapshots.Local", "bin", configuration, "net10.0", "Snapshots.Local.dll");
        var port = EmulatorSet.FreeLoopbackPorts(1)[0];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            dll, "--no-demo", "--urls", $"http://127.0.0.1:{port}",
            "--emulators", $"{emulators.BlobPort},{emulators.QueuePort},{emulators.TablePort},{emulators.CosmosPort}",
            "--Logging:LogLevel:Default=Warning", "--LocalRuntime:DisableTimers=true",
            // One line per activity with its duration (FunctionActivity), read below.
            "--Logging:LogLevel:Snapshots.Local.FunctionHosting.FunctionActivity=Debug",
            "--Logging:Console:FormatterName=simple", "--Logging:Console:FormatterOptions:SingleLine=true",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start)!;
        var runs = new ConcurrentQueue<ActivityRun>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ActivityLine().Match(e.Data) is { Success: true } match)
            {
                runs.Enqueue(new ActivityRun(match.Groups["name"].Value, double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture) / 1000));
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"  [service] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    return new ServiceProcess(process, address, runs);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException("The service did not start (build it first: dotnet build -c Release src/Snapshots.Local).");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Waits until the service has logged a run of <paramref name="activity"/> (at most two minutes).</summary>
    public async Task WaitForActivityAsync(string activity)
    {
        var deadline = Stopwatch.StartNew();
        while (!activityRuns.Any(run => run.Activity == activity) && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The activities that finished since the last call, with their durations, once the line of
    /// <paramref name="last"/> has arrived: the service's console output reaches us a little after the fact.
    /// </summary>
    public async Task<List<ActivityRun>> TakeActivityRunsAsync(string last)
    {
        var deadline = Stopwatch.StartNew();
        await WaitForActivityAsync(last);

        // Lines of activities that finished together with the last one may still be on their way.
        for (var seen = -1; seen != activityRuns.Count && deadline.Elapsed < TimeSpan.FromMinutes(3);)
        {
            seen = activityRuns.Count;
            await Task.Delay(250);
        }

        var taken = new List<ActivityRun>();
        while (activityRuns.TryDequeue(out var run))
        {
            taken.Add(run);
        }

        return taken;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Activity (?<name>\w+) ran (?<ms>\d+) ms")]
    private static partial System.Text.RegularExpressions.Regex ActivityLine();

    /// <summary>Starts the peak over (Linux: writing 5 to clear_refs resets VmHWM to the current resident set).</summary>
    public void ResetPeakWorkingSet() => File.WriteAllText($"/proc/{process.Id}/clear_refs", "5");

    /// <summary>Peak resident set size of the service process since it started or the last reset (VmHWM), in MiB.</summary>
    public double PeakWorkingSetMiB()
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }
}

/// <summary>One activity execution of the service, as it logged it.</summary>
internal sealed record ActivityRun(string Activity, double Seconds);
