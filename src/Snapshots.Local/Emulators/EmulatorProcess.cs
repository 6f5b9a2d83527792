using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Snapshots.Local.Emulators;

/// <summary>
/// One emulator run as a Node.js child process, stopped with SIGTERM so it can persist its state (Azurite saves
/// only every few seconds; SIGKILL loses the latest writes). SIGTERM, not SIGINT: a process started from a
/// non-interactive shell in the background inherits an ignored SIGINT.
/// </summary>
internal sealed partial class EmulatorProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process process;
    private readonly ILogger logger;
    private readonly string name;

    private EmulatorProcess(string name, Process process, ILogger logger)
    {
        this.name = name;
        this.process = process;
        this.logger = logger;
    }

    public static EmulatorProcess Start(string name, string workingDirectory, string script, IEnumerable<string> arguments, ILogger logger)
    {
        // A small shell watchdog runs the emulator and stops it when this process is gone, so a crashed host (a test
        // host that dies, a killed runtime) leaves no emulator behind. SIGTERM to the watchdog is passed on, once:
        // Azurite saves its metadata on the first SIGTERM and a second one kills it mid-save, so once the trap has
        // passed it on the watchdog only waits (also when this process exits meanwhile).
        var startInfo = new ProcessStartInfo("sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The Cosmos emulator keeps every item in its JavaScript heap, and V8 caps that at about 4 GB unless told:
        // a benchmark at 20 000 documents (three copies of 640 000 items and a Konfuzio import) ran out of it.
        startInfo.Environment["NODE_OPTIONS"] = $"{Environment.GetEnvironmentVariable("NODE_OPTIONS")} --max-old-space-size={HeapLimitMegabytes()}".TrimStart();
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(
            "node \"$@\" & child=$!; stopping=; trap '[ -n \"$stopping\" ] || kill -TERM $child 2>/dev/null; stopping=1' TERM INT; " +
            $"while [ -z \"$stopping\" ] && kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; " +
            "[ -n \"$stopping\" ] || kill -TERM $child 2>/dev/null; while kill -0 $child 2>/dev/null; do wait $child 2>/dev/null; done");
        startInfo.ArgumentList.Add("emulator");
        startInfo.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start the {name} emulator (is Node.js installed?).");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { logger.LogDebug("[{Emulator}] {Line}", name, e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { logger.LogWarning("[{Emulator}] {Line}", name, e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new EmulatorProcess(name, process, logger);
    }

    /// <summary>Three quarters of the memory this machine (or container) gives the process, at least the V8 default of 4 GB.</summary>
    private static long HeapLimitMegabytes() =>
        Math.Max(4096, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 * 3 / 4);

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                _ = Kill(process.Id, SigTerm);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                logger.LogWarning("The {Emulator} emulator did not stop on SIGTERM; killing it.", name);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
