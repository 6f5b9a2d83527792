using System.Text.Json.Nodes;

namespace Snapshots.Cli.Api;

/// <summary>Where a long-running operation stands, read from an operation or a restore status body.</summary>
public sealed record OperationState(bool Finished, bool Succeeded, string Stage, long Done, long Total, JsonObject Body)
{
    /// <summary>Operations say Running/Completed/Failed; restores say queuing/inProgress/restored/contactSupport.</summary>
    public static OperationState From(JsonObject body)
    {
        var status = body["status"]?.GetValue<string>() ?? "";
        var succeeded = status is "Completed" or "restored";
        var finished = succeeded || status is "Failed" or "Terminated" or "contactSupport";
        var progress = body["progress"] as JsonObject;
        var stage = progress?["stage"]?.GetValue<string>() ?? body["statusText"]?.GetValue<string>() ?? status;
        var (done, total) = progress?["documents"] is JsonObject documents
            ? (documents["done"]?.GetValue<long>() ?? 0, documents["total"]?.GetValue<long>() ?? 0)
            : (progress?["documentsDone"]?.GetValue<long>() ?? 0, progress?["documentsTotal"]?.GetValue<long>() ?? 0);
        return new OperationState(finished, succeeded, stage, done, total, body);
    }

    public string Error => Body["error"]?.GetValue<string>() ?? Body["statusText"]?.GetValue<string>() ?? "the operation failed";
}

/// <summary>Polls a status URI until the operation finishes.</summary>
public sealed class OperationWaiter(SnapshotsApiClient api, TimeSpan interval)
{
    public async Task<OperationState> WaitAsync(string statusUri, IProgress<OperationState> progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = OperationState.From(await api.GetAsync(statusUri, cancellationToken));
            progress.Report(state);
            if (state.Finished)
            {
                return state.Succeeded ? state : throw new OperationFailedException(state.Error);
            }

            await Task.Delay(interval, cancellationToken);
        }
    }
}
