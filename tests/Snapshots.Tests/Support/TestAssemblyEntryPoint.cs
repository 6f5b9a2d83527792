using Microsoft.Extensions.DependencyInjection;
using Snapshots.Local;
using Snapshots.Local.FunctionHosting;

namespace Snapshots.Tests.Support;

/// <summary>
/// The test assembly started as a process of its own (<c>dotnet Snapshots.Tests.dll local-runtime ...</c>) is the
/// local runtime with a <see cref="BatchStall"/>: the kill tests use it to stop an operation at an exact point
/// before they SIGKILL the process. Test runners never call this entry point.
/// </summary>
public static class TestAssemblyEntryPoint
{
    public const string LocalRuntimeVerb = "local-runtime";
    public const string PassBatchesOption = "--pass-batches";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [LocalRuntimeVerb, PassBatchesOption, var pass, .. var rest])
        {
            await Console.Error.WriteLineAsync($"usage: Snapshots.Tests {LocalRuntimeVerb} {PassBatchesOption} <n> <local runtime arguments>");
            return 2;
        }

        var stall = new BatchStall(int.Parse(pass, System.Globalization.CultureInfo.InvariantCulture));
        await LocalRuntimeCommand.RunAsync(rest, services => services.AddSingleton<IActivityFilter>(stall));
        return 0;
    }
}

/// <summary>
/// Lets the first <c>n</c> document batches of each kind (create, restore, import) through and holds every later
/// one until the process ends, so an operation's progress stops at exactly <c>n</c> batches.
/// </summary>
public sealed class BatchStall(int pass) : IActivityFilter
{
    private static readonly string[] BatchActivities = ["ExportSnapshotDocumentBatch", "RestoreDocumentBatch", "ImportDocumentBatch"];
    private readonly Dictionary<string, int> started = [];

    public Task BeforeAsync(string activity, object? input, CancellationToken cancellationToken)
    {
        if (!BatchActivities.Contains(activity))
        {
            return Task.CompletedTask;
        }

        lock (started)
        {
            started[activity] = started.GetValueOrDefault(activity) + 1;
            if (started[activity] <= pass)
            {
                return Task.CompletedTask;
            }
        }

        return Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
