using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Snapshots.Local.Emulators;

/// <summary>
/// Who uses a data folder: <c>emulators.pid</c> in it names the process that started the emulators and the
/// emulators' watchdogs. Emulators outlive a killed runtime by up to a second (their watchdog notices, then stops
/// them so they save), so a runtime started again at once waits for them instead of running a second Azurite and a
/// second Cosmos journal on the same files. A data folder whose owner still runs is refused.
/// </summary>
internal static partial class DataFolderOwner
{
    private const string FileName = "emulators.pid";
    private const string LockName = "runtime.lock";

    /// <summary>
    /// Holds the folder for this process's life: an exclusive lock the OS releases when the process ends, however it
    /// ends, so two runtimes started at the same moment cannot both get it.
    /// </summary>
    public static IDisposable Lock(string dataDirectory)
    {
        try
        {
            return new FileStream(Path.Combine(dataDirectory, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new LocalRuntimeStartException(
                $"The data folder {dataDirectory} is in use by another local runtime; stop it first (or start this one with --data <another folder>).");
        }
    }
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public static async Task WaitForPreviousAsync(string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var file = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(file))
        {
            return;
        }

        var pids = (await File.ReadAllLinesAsync(file, cancellationToken))
            .Select(line => int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0).ToList();
        using var previousOwner = pids is [var owner, ..] && owner != Environment.ProcessId ? Running(owner) : null;
        // A process started after the file was written got a recycled pid (a second's slack for clock granularity).
        if (previousOwner is not null && previousOwner.StartTime.ToUniversalTime() <= File.GetLastWriteTimeUtc(file).AddSeconds(1))
        {
            throw new LocalRuntimeStartException(
                $"The data folder {dataDirectory} is in use by process {previousOwner.Id}; stop that local runtime first (or start this one with --data <another folder>).");
        }

        foreach (var pid in pids.Skip(1))
        {
            using var emulator = Running(pid);
            if (emulator is null || !UsesFolder(pid, dataDirectory))
            {
                continue;
            }

            LogWaiting(logger, pid, dataDirectory);
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(Grace);
            try
            {
                await emulator.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new LocalRuntimeStartException(
                    $"An emulator of an earlier run (pid {pid}) still uses {dataDirectory} after {Grace.TotalSeconds:0} s; stop it (kill {pid}) and start again.");
            }
        }
    }

    /// <summary>After a clean stop nobody owns the folder.</summary>
    public static void Release(string dataDirectory) => File.Delete(Path.Combine(dataDirectory, FileName));

    public static void Record(string dataDirectory, IEnumerable<int> emulatorProcessIds) =>
        File.WriteAllLines(Path.Combine(dataDirectory, FileName),
            [Environment.ProcessId.ToString(CultureInfo.InvariantCulture), .. emulatorProcessIds.Select(p => p.ToString(CultureInfo.InvariantCulture))]);

    private static Process? Running(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited)
            {
                return process;
            }

            process.Dispose();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        return null;
    }

    /// <summary>A recycled pid is not waited for: the watchdog's command line names the data folder (where /proc tells).</summary>
    private static bool UsesFolder(int pid, string dataDirectory)
    {
        var commandLine = $"/proc/{pid}/cmdline";
        try
        {
            // The watchdog's arguments name files inside the folder (--location <folder>/azurite, --journal <folder>/cosmos/...).
            return !File.Exists(commandLine)
                || File.ReadAllText(commandLine).Contains(Path.TrimEndingDirectorySeparator(dataDirectory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the emulator of an earlier run (pid {Pid}) to save and stop: it still uses {DataDirectory}")]
    private static partial void LogWaiting(ILogger logger, int pid, string dataDirectory);
}

/// <summary>Why the local runtime cannot start, in one line for the terminal (no stack trace).</summary>
public sealed class LocalRuntimeStartException(string message) : Exception(message);
