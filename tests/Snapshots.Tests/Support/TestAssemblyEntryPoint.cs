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
/// Lets the document batches numbered below <c>n</c> of each kind (create, restore, import) through and holds every
/// later one until the process ends, so an operation's progress stops at exactly its first <c>n</c> batches. By
/// number, not by arrival: a sliding window starts several batches at once, in no fixed order, and the last batch
/// may be short (456 documents in batches of 100 let through by arrival stopped once at 156, not 200).
/// </summary>
public sealed class BatchStall(int pass) : IActivityFilter
{
    private static readonly string[] BatchActivities = ["ExportSnapshotDocumentBatch", "RestoreDocumentBatch", "ImportDocumentBatch"];

    public Task BeforeAsync(string activity, object? input, CancellationToken cancellationToken)
    {
        if (!BatchActivities.Contains(activity))
        {
            return Task.CompletedTask;
        }

        int? batch = input switch
        {
            Create.DocumentBatchRef create => create.BatchIndex,
            Restore.RestoreBatch restore => restore.BatchIndex,
            Imports.ImportBatch import => import.BatchIndex,
            _ => null,
        };
        return batch is { } index && index >= pass ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask;
    }
}
