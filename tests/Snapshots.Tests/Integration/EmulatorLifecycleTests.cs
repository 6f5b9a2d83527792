using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Local.Emulators;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

public sealed class EmulatorLifecycleTests
{
    [Fact]
    public async Task Disposing_the_emulators_stops_their_processes_and_frees_their_ports()
    {
        var data = Path.Combine(Path.GetTempPath(), "snapshots-tests", Guid.NewGuid().ToString("N"));
        var emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
        var pids = emulators.ProcessIds;
        var blobPort = emulators.Endpoints.BlobPort;
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.False(Process.GetProcessById(pid).HasExited));

        await emulators.DisposeAsync();

        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"emulator process {pid} still running"));
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", blobPort));
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// Azurite saves its metadata on its first SIGTERM and dies on a second one, which the watchdog used to send when
    /// its host exited during the save (or when it was told to stop twice): the watchdog passes a stop on once.
    /// </summary>
    [Fact]
    public async Task An_emulator_saving_on_its_first_sigterm_is_not_killed_by_a_second_stop()
    {
        var directory = Directory.CreateTempSubdirectory("snapshots-watchdog-").FullName;
        var (ready, stopping, saved) = (Path.Combine(directory, "ready"), Path.Combine(directory, "stopping"), Path.Combine(directory, "saved"));
        var script = Path.Combine(directory, "slow-stop.js");
        await File.WriteAllTextAsync(script, """
            const fs = require("fs");
            const [ready, stopping, saved] = process.argv.slice(2);
            process.once("SIGTERM", () => {
              fs.writeFileSync(stopping, "");
              setTimeout(() => { fs.writeFileSync(saved, ""); process.exit(0); }, 1500);
            });
            fs.writeFileSync(ready, "");
            setInterval(() => {}, 1000);
            """);
        try
        {
            await using var emulator = EmulatorProcess.Start("slow-stop", directory, script, [ready, stopping, saved], NullLogger.Instance);
            // Its handler is in place (a SIGTERM before that ends node at once, as it would end Azurite).
            await Eventually.TrueAsync(() => File.Exists(ready), TimeSpan.FromSeconds(60));
            await Signal(emulator.Id);
            await Eventually.TrueAsync(() => File.Exists(stopping), TimeSpan.FromSeconds(30));

            await Signal(emulator.Id);

            await Eventually.TrueAsync(() => emulator.HasExited, TimeSpan.FromSeconds(30));
            Assert.True(File.Exists(saved), "the emulator was killed while it saved");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task Signal(int watchdog)
    {
        using var kill = Process.Start("kill", ["-TERM", watchdog.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !Process.GetProcessById(pid).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
