using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Snapshots.Local.Emulators;

/// <summary>Runs <c>npm ci</c> in the emulators folder when its packages are missing, once across processes.</summary>
internal static class NpmInstaller
{
    private const string Marker = "node_modules/.package-lock.json";

    public static async Task EnsureInstalledAsync(string directory, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsInstalled(directory))
        {
            return;
        }

        // Test processes and the run command may start together: a lock file serializes the install.
        await using var gate = await AcquireLockAsync(Path.Combine(directory, ".npm-install.lock"), cancellationToken);
        if (IsInstalled(directory))
        {
            return;
        }

        logger.LogInformation("Installing the emulators with npm ci in {Directory} (first run only)...", directory);
        var startInfo = new ProcessStartInfo("npm")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start npm: install Node.js and npm.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !IsInstalled(directory))
        {
            throw new InvalidOperationException($"npm ci failed in {directory} (exit {process.ExitCode}): {await error}{await output}");
        }
    }

    private static bool IsInstalled(string directory) =>
        File.Exists(Path.Combine(directory, Marker))
        && File.Exists(Path.Combine(directory, "node_modules", "azurite", "dist", "src", "azurite.js"))
        && File.Exists(Path.Combine(directory, "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js"));

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }
}
