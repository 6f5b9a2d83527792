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
