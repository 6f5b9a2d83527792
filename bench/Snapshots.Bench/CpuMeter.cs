using System.Globalization;

namespace Snapshots.Bench;

/// <summary>
/// CPU seconds spent by the processes that share this machine during one step: the side doing the work (the
/// benchmark itself for the baseline, the service process for the service) and each emulator. Shows whether a
/// slower step did more work or waited.
/// </summary>
internal sealed class CpuMeter(IReadOnlyDictionary<string, int> processes)
{
    /// <summary>The emulators run under a small shell watchdog: their CPU is that of its child processes.</summary>
    public static CpuMeter ForEmulators(IEnumerable<int> watchdogs, params (string Name, int Pid)[] others)
    {
        var named = watchdogs.Select((pid, i) => (Name: i == 0 ? "azurite" : "cosmos", Pid: ChildOf(pid)))
            .Concat(others)
            .ToDictionary(p => p.Name, p => p.Pid);
        return new CpuMeter(named);
    }

    public Dictionary<string, double> Read() => processes.ToDictionary(p => p.Key, p => Seconds(p.Value));

    public static Dictionary<string, double> Between(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key));

    public static string Describe(Dictionary<string, double> spent) =>
        string.Join(", ", spent.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.0}")));

    private static double Seconds(int pid)
    {
        // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 per second on Linux).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int ChildOf(int pid) =>
        int.Parse(File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
}
