using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Local.Emulators;

namespace Snapshots.Tests.Integration;

/// <summary>
/// A local runtime started again on a data folder waits for the emulators of the run before it (they outlive a
/// killed runtime by up to a second) and refuses a folder another running runtime owns.
/// </summary>
public sealed class DataFolderOwnerTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("snapshots-owner-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task A_restart_waits_until_the_previous_runs_emulators_have_exited()
    {
        // Stands in for an emulator's watchdog: its command line names the data folder, and it ends by itself.
        using var lingering = Start("sh", "-c", "sleep 2", Path.Combine(data, "azurite"));
        DataFolderOwner.Record(data, [lingering.Id]);
        OverwriteOwner(int.MaxValue);

        await DataFolderOwner.WaitForPreviousAsync(data, NullLogger.Instance, default);

        Assert.True(lingering.HasExited);
    }

    [Fact]
    public async Task A_pid_recycled_by_an_unrelated_process_is_not_waited_for()
    {
        using var unrelated = Start("sleep", "30");
        DataFolderOwner.Record(data, [unrelated.Id]);
        OverwriteOwner(int.MaxValue);

        await DataFolderOwner.WaitForPreviousAsync(data, NullLogger.Instance, default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(unrelated.HasExited);
        unrelated.Kill();
    }

    [Fact]
    public async Task A_folder_whose_runtime_still_runs_is_refused_with_its_pid()
    {
        using var owner = Start("sleep", "30");
        DataFolderOwner.Record(data, []);
        OverwriteOwner(owner.Id);

        var refused = await Assert.ThrowsAsync<LocalRuntimeStartException>(() => DataFolderOwner.WaitForPreviousAsync(data, NullLogger.Instance, default));

        Assert.Contains($"in use by process {owner.Id}", refused.Message);
        owner.Kill();
    }

    [Fact]
    public void A_second_runtime_on_a_locked_folder_is_refused_until_the_first_lets_go()
    {
        var first = DataFolderOwner.Lock(data);

        var refused = Assert.Throws<LocalRuntimeStartException>(() => DataFolderOwner.Lock(data));
        first.Dispose();

        Assert.Contains("in use by another local runtime", refused.Message);
        DataFolderOwner.Lock(data).Dispose();
    }

    [Fact]
    public async Task A_clean_stop_releases_the_folder()
    {
        DataFolderOwner.Record(data, []);
        DataFolderOwner.Release(data);

        Assert.False(File.Exists(Path.Combine(data, "emulators.pid")));
        await DataFolderOwner.WaitForPreviousAsync(data, NullLogger.Instance, default);
    }

    private void OverwriteOwner(int pid)
    {
        var file = Path.Combine(data, "emulators.pid");
        var lines = File.ReadAllLines(file);
        lines[0] = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllLines(file, lines);
    }

    private static Process Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
